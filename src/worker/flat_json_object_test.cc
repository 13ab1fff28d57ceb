#include "worker/flat_json_object.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlw::worker {
namespace {

// The fast path's result must be what nlohmann::json::parse gives, member types included
// (operator== would call an unsigned 5 equal to a signed 5).
void ExpectSameAsFullParser(const std::string& text) {
  std::optional<nlohmann::json> fast = ParseFlatJsonObject(text);
  if (!fast) return;
  nlohmann::json full = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(full.is_discarded()) << "fast path accepted invalid JSON: " << text;
  ASSERT_TRUE(full.is_object()) << text;
  ASSERT_EQ(fast->size(), full.size()) << "duplicate keys taken by the fast path: " << text;
  for (auto it = full.begin(); it != full.end(); ++it) {
    auto mine = fast->find(it.key());
    ASSERT_NE(mine, fast->end()) << text;
    EXPECT_EQ(mine->type(), it->type()) << it.key() << " in " << text;
    EXPECT_EQ(*mine, *it) << it.key() << " in " << text;
  }
}

TEST(FlatJsonObjectTest, TakesTriggersAsTheFullParserWould) {
  for (const std::string text : {
           R"({"job_type":"process_pending_vitals","user_id":123})",
           R"({"job_type":"noop","user_id":1,"priority":"high"})",
           R"( { "job_type" : "noop" ,	"user_id":0 ,"upload_id": 999999999999999999 } )",
           "{\"a\":\"\"\n,\r\"b\":7}",
           R"({"user_id":"123"})",
       }) {
    ASSERT_TRUE(ParseFlatJsonObject(text).has_value()) << text;
    ExpectSameAsFullParser(text);
  }
  auto doc = ParseFlatJsonObject(R"({"job_type":"noop","user_id":42})");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ((*doc)["job_type"], "noop");
  EXPECT_TRUE((*doc)["user_id"].is_number_unsigned());
  EXPECT_EQ((*doc)["user_id"].get<uint64_t>(), 42u);
}

TEST(FlatJsonObjectTest, LeavesEverythingElseToTheFullParser) {
  for (const std::string text : {
           "",
           "{}",
           "[]",
           "123",
           R"("text")",
           R"({"user_id":1,"user_id":2})",  // duplicate: the full path reports it
           R"({"user_id":-1})",             // signed
           R"({"user_id":-0})",
           R"({"user_id":1.0})",  // fraction
           R"({"user_id":1e3})",  // exponent
           R"({"user_id":1E3})",
           R"({"user_id":0123})",                  // leading zero: invalid JSON
           R"({"user_id":1234567890123456789})",   // 19 digits
           R"({"user_id":18446744073709551616})",  // beyond uint64: a double in nlohmann
           R"({"user_id":true})",
           R"({"user_id":null})",
           R"({"user_id":{"a":1}})",
           R"({"user_id":[1]})",
           R"({"job_type":"no\"op"})",  // escapes
           R"({"job_type":"\u006eoop"})",
           R"({"jo\\b":"x"})",
           "{\"job_type\":\"caf\xc3\xa9\"}",  // UTF-8
           "{\"job_type\":\"\xff\"}",         // invalid UTF-8
           "{\"job_type\":\"a\tb\"}",         // control character: invalid JSON
           R"({"a":1,})",
           R"({"a":1)",
           R"({"a":1}})",
           R"({"a":1} x)",
           R"({"a" 1})",
           R"({"a":})",
           R"({a:1})",
           R"({"a":1 2})",
           R"({"a":"x" "b":1})",
       }) {
    EXPECT_FALSE(ParseFlatJsonObject(text).has_value()) << text;
  }
  EXPECT_FALSE(ParseFlatJsonObject(std::string("{\"a\":1}\0", 8)).has_value());  // trailing NUL
}

// Every single-character change of a trigger at every position: wherever the fast path still
// accepts the text, the full parser gives the same document.
TEST(FlatJsonObjectTest, AgreesWithTheFullParserOnEveryOneCharacterEdit) {
  const std::string base = R"( {"job_type" : "noop","user_id":1203 , "priority":"low"} )";
  const std::string alphabet = " \t\n\r{}[]:,\"\\-+.eE0129aZ/\x7f\x80\xc3";
  int accepted = 0;
  for (size_t i = 0; i <= base.size(); ++i) {
    for (char c : alphabet) {
      std::vector<std::string> edits = {base.substr(0, i) + c + base.substr(i)};  // insert
      if (i < base.size()) {
        edits.push_back(base.substr(0, i) + c + base.substr(i + 1));  // replace
        edits.push_back(base.substr(0, i) + base.substr(i + 1));      // delete
      }
      for (const std::string& text : edits) {
        ExpectSameAsFullParser(text);
        if (ParseFlatJsonObject(text)) ++accepted;
      }
    }
  }
  EXPECT_GT(accepted, 100);  // the property was exercised, not vacuous
}

TEST(FlatJsonObjectTest, ReaderGivesTheMembersInOrder) {
  FlatJsonObjectReader reader(R"( {"job_type" : "noop", "user_id":42,"job_type":"x"} )");
  std::vector<std::string> seen;
  while (std::optional<FlatJsonMember> m = reader.Next()) {
    seen.push_back(std::string(m->key) + "=" +
                   (m->is_string ? std::string(m->string) : std::to_string(m->number)));
  }
  EXPECT_TRUE(reader.ok());  // duplicates are the caller's to see
  EXPECT_EQ(seen, (std::vector<std::string>{"job_type=noop", "user_id=42", "job_type=x"}));
  EXPECT_FALSE(reader.Next().has_value());

  for (const char* text : {"{}", R"({"a":1} x)", R"({"a":1,})", R"({"a":-1})", R"({"a":"\n"})"}) {
    FlatJsonObjectReader bad(text);
    while (bad.Next()) {
    }
    EXPECT_FALSE(bad.ok()) << text;
  }
}

}  // namespace
}  // namespace mlw::worker
