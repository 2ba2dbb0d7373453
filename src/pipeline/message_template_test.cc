#include "pipeline/message_template.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

struct Pair {
  const char* a;
  const char* b;
};

// Occurrences of one error that must share a template.
const Pair kSame[] = {
    {"Case 12 not found for agency agency_contoso_db", "Case 999999 not found for agency agency_contoso_db"},
    {"Invalid email address: user1@example.org", "Invalid email address: someone.else+x@mail.example.com"},
    {"Timeout after 1000ms calling stripe", "Timeout after 59999ms calling stripe"},
    {"Duplicate entry '17' for key 'PRIMARY'", "Duplicate entry '999' for key 'PRIMARY'"},
    {"KeyError: 'case_1'", "KeyError: 'case_771234'"},
    {"Permission denied for user 1 on document 2", "Permission denied for user 4999 on document 777777"},
    {"Stripe card declined for invoice 5: insufficient_funds", "Stripe card declined for invoice 123456: insufficient_funds"},
    {"OAuth token expired for admin 12", "OAuth token expired for admin 4321"},
    {"Lock wait timeout exceeded; try restarting transaction (query 1200ms)",
     "Lock wait timeout exceeded; try restarting transaction (query 58000ms)"},
    {"Upload of 10 bytes exceeds limit", "Upload of 99999999 bytes exceeds limit"},
    {"Connection reset by peer while talking to gmail", "Connection reset by peer while talking to gmail"},
    {"Unexpected null in field intake_3", "Unexpected null in field intake_845512"},
    {"Template render failed at line 7", "Template render failed at line 1000"},
    {"Rate limited by twilio, retry after 5s", "Rate limited by twilio, retry after 86000s"},
    {"Decimal conversion failed for value '-1.500'", "Decimal conversion failed for value '999999.000'"},
    {"Session 0123456789abcdef is no longer valid", "Session fedcba9876543210 is no longer valid"},
    {"Session 0000000000000001 is no longer valid", "Session 00a0000000000bcd is no longer valid"},
    {"request 550e8400-e29b-41d4-a716-446655440000 failed", "request 6ba7b810-9dad-11d1-80b4-00c04fd430c8 failed"},
    {"object at 0x7f3a2c1b9d00 is not callable", "object at 0x1 is not callable"},
    {"commit deadbeef12 missing", "commit 00ff00ff00 missing"},
    {"connect to 10.0.0.1 refused", "connect to 192.168.100.254 refused"},
    {"connect to 10.0.0.1:5432 refused", "connect to 172.16.0.9:6543 refused"},
    {"peer fe80::1 unreachable", "peer 2001:db8::ff00:42:8329 unreachable"},
    {"job started 2026-01-01T10:00:00Z late", "job started 2026-11-25T23:59:59.123+01:00 late"},
    {"backup of 2026-01-01 failed", "backup of 2025-12-31 failed"},
    {"at 10:00:00 the queue was full", "at 23:15:09.5 the queue was full"},
    {"took 1.5s to respond", "took 250ms to respond"},
    {"took 3min to respond", "took 12h to respond"},
    {"GET https://api.example.com/v1/cases/123?page=2 returned 500",
     "GET https://api.example.com/v1/cases/98765?page=7 returned 500"},
    {"GET https://api.example.com/v1/cases/550e8400-e29b-41d4-a716-446655440000/notes failed",
     "GET https://api.example.com/v1/cases/6ba7b810-9dad-11d1-80b4-00c04fd430c8/notes failed"},
    {"fetch https://x.io/a?token=abc&user=1#frag", "fetch https://x.io/a?token=zzz&user=2"},
    {"GET /client/case_detail/123 500", "GET /client/case_detail/99999 500"},
    {"user=42 action=delete failed", "user=7 action=delete failed"},
    {"value \"abc\" is not an integer", "value \"a much longer string\" is not an integer"},
    {"query returned `x1`", "query returned `some_other`"},
    {"retrying   in\t5s", "retrying in 10s"},
    {"error code -3", "error code -12"},
    {"found 3 of 4 items (75.5%)", "found 10 of 20 items (50%)"},
    {"Expected 2 arguments, got 3.", "Expected 5 arguments, got 1."},
    {"worker-3 crashed", "worker-17 crashed"},
    {"user12345 locked out", "user9876543 locked out"},
    {"disk /dev/sda1 at 95%", "disk /dev/sda1 at 91%"},
    {"email to ops@acme.io bounced", "email to a.b@c.de bounced"},
    {"Traceback (most recent call last):\n  File \"/app/views.py\", line 10, in detail\n    x()\n"
     "ValueError: invalid literal for int() with base 10: 'abc'",
     "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 12, in detail\n    x()\n"
     "ValueError: invalid literal for int() with base 10: 'xyz'"},
};

// Different errors that must not share a template.
const Pair kDifferent[] = {
    {"Timeout after 1000ms calling stripe", "Timeout after 1000ms calling twilio"},
    {"Connection reset by peer while talking to gmail", "Connection reset by peer while talking to outlook"},
    {"Rate limited by twilio, retry after 5s", "Rate limited by sendgrid, retry after 5s"},
    {"Case 12 not found for agency agency_contoso_db", "Case 12 deleted for agency agency_contoso_db"},
    {"Permission denied for user 1 on document 2", "Permission denied for user 1 on folder 2"},
    {"Duplicate entry '17' for key 'PRIMARY'", "Duplicate entry '17' for index 'PRIMARY'"},
    {"KeyError: 'case_1'", "IndexError: 'case_1'"},
    {"OAuth token expired for admin 12", "OAuth token revoked for admin 12"},
    {"Upload of 10 bytes exceeds limit", "Download of 10 bytes exceeds limit"},
    {"GET https://api.example.com/v1/cases/1 failed", "GET https://api.other.com/v1/cases/1 failed"},
    {"GET https://api.example.com/v1/cases/1 failed", "GET https://api.example.com/v1/invoices/1 failed"},
    {"GET /client/case_detail/123 500", "GET /client/case_list/123 500"},
    {"GET /client/case_detail/123 500", "POST /client/case_detail/123 500"},
    {"connect to db refused", "connect to cache refused"},
    {"value \"abc\" is not an integer", "value abc is not a float"},
    {"Template render failed at line 7", "Template render failed at column 7"},
    {"disk full", "disk quota exceeded"},
    {"Traceback (most recent call last):\n  File \"/app/views.py\", line 10, in detail\n    x()\n"
     "ValueError: bad",
     "Traceback (most recent call last):\n  File \"/app/views.py\", line 10, in detail\n    x()\n"
     "TypeError: bad"},
    {"Session 0123456789abcdef is no longer valid", "Session 0123456789abcdef is not yet valid"},
    {"retry 3 of 5 failed", "retry 3 of 5 succeeded"},
    {"external call s3 failed", "external call ec2 failed"},
    {"upload to s3 failed", "upload to s4 failed"},
};

TEST(MessageTemplateTest, OccurrencesOfOneErrorShareATemplate) {
  for (const Pair& p : kSame) {
    EXPECT_EQ(MessageTemplate(p.a), MessageTemplate(p.b)) << p.a << "\n" << p.b;
  }
}

TEST(MessageTemplateTest, DifferentErrorsDoNotShareATemplate) {
  for (const Pair& p : kDifferent) {
    EXPECT_NE(MessageTemplate(p.a), MessageTemplate(p.b)) << p.a << "\n" << p.b;
  }
  EXPECT_GE(std::size(kSame) + std::size(kDifferent), 60u);
}

TEST(MessageTemplateTest, PlaceholdersShowWhatWasTreatedAsVariable) {
  EXPECT_EQ(MessageTemplate("Case 4711 not found for user bob@example.org"),
            "Case {n} not found for user {email}");
  EXPECT_EQ(MessageTemplate("Duplicate entry '12' for key 'PRIMARY'"),
            "Duplicate entry '{s}' for key '{s}'");
  EXPECT_EQ(MessageTemplate("Unexpected null in field intake_77"), "Unexpected null in field intake_{n}");
  EXPECT_EQ(MessageTemplate("Session 0123456789abcdef is no longer valid"), "Session {hex} is no longer valid");
  EXPECT_EQ(MessageTemplate("req 550e8400-e29b-41d4-a716-446655440000 at 10.1.2.3 on 2026-01-01T00:00:00Z took 12ms"),
            "req {uuid} at {ip} on {ts} took {duration}");
  EXPECT_EQ(MessageTemplate("GET https://api.x.com/v1/cases/123/notes?page=2&q=abc#top failed"),
            "GET https://api.x.com/v1/cases/{id}/notes?page={v}&q={v} failed");
  EXPECT_EQ(MessageTemplate("don't  retry\n now"), "don't retry now");
  EXPECT_EQ(MessageTemplate("external call s3 failed: sha256 mismatch in utf8 text"),
            "external call s3 failed: sha256 mismatch in utf8 text");
  EXPECT_EQ(MessageTemplate(""), "");
  EXPECT_EQ(MessageTemplate("   "), "");
  EXPECT_EQ(MessageTemplate("'unterminated literal 12"), "'unterminated literal {n}");
}

TEST(MessageTemplateTest, LongMessagesAreCapped) {
  std::string big(100000, 'x');
  EXPECT_LE(MessageTemplate(big).size(), 1024u);
  std::string quotes(5000, '\'');
  EXPECT_LE(MessageTemplate(quotes).size(), 1024u);
}

TEST(StackSignatureTest, PythonTracebackUsesTypeAndInAppFrames) {
  const char* a =
      "Traceback (most recent call last):\n"
      "  File \"/app/flaskapp/views.py\", line 42, in case_detail\n"
      "    case = load_case(case_id)\n"
      "  File \"/usr/lib/python3/dist-packages/sqlalchemy/orm/query.py\", line 2890, in one\n"
      "    raise NoResultFound()\n"
      "sqlalchemy.orm.exc.NoResultFound: No row was found for one() id=17\n";
  const char* b =
      "Traceback (most recent call last):\n"
      "  File \"/srv/flaskapp/views.py\", line 44, in case_detail\n"
      "    case = load_case(case_id)\n"
      "  File \"/usr/local/lib/python3.11/site-packages/sqlalchemy/orm/query.py\", line 2901, in one\n"
      "    raise NoResultFound()\n"
      "sqlalchemy.orm.exc.NoResultFound: No row was found for one() id=99\n";
  EXPECT_EQ(StackSignature(a), "sqlalchemy.orm.exc.NoResultFound < flaskapp/views.py:case_detail");
  EXPECT_EQ(StackSignature(a), StackSignature(b));
  EXPECT_TRUE(HasPythonTraceback(a));
  EXPECT_FALSE(HasPythonTraceback("ValueError: x"));
}

TEST(StackSignatureTest, ChainedPythonTracebackNamesTheLastException) {
  const char* t =
      "Traceback (most recent call last):\n"
      "  File \"/app/a.py\", line 1, in f\n"
      "KeyError: 'x'\n"
      "\n"
      "During handling of the above exception, another exception occurred:\n"
      "\n"
      "Traceback (most recent call last):\n"
      "  File \"/app/b.py\", line 2, in g\n"
      "ValueError: y\n";
  EXPECT_EQ(StackSignature(t), "ValueError < app/a.py:f < app/b.py:g");
}

TEST(StackSignatureTest, JavaScriptAndJavaFrames) {
  EXPECT_EQ(StackSignature("TypeError: x is undefined\n    at handler (/app/src/routes.js:10:5)\n"
                           "    at next (/app/node_modules/express/lib/router.js:1:1)"),
            "TypeError < src/routes.js:handler");
  EXPECT_EQ(StackSignature("java.lang.IllegalStateException: boom\n"
                           "\tat com.acme.Billing.charge(Billing.java:42)\n"
                           "\tat java.base/java.lang.Thread.run(Thread.java:833)"),
            "java.lang.IllegalStateException < Billing.java:com.acme.Billing.charge");
  EXPECT_EQ(StackSignature("no frames here"), "");
  // Only library frames: they are kept rather than leaving nothing.
  EXPECT_EQ(StackSignature("Traceback (most recent call last):\n"
                           "  File \"/usr/lib/python3.11/json/decoder.py\", line 3, in decode\n"
                           "json.decoder.JSONDecodeError: Expecting value"),
            "json.decoder.JSONDecodeError < json/decoder.py:decode");
}

}  // namespace
}  // namespace vigil
