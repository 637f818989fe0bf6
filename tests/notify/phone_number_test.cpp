#include "notify/phone_number.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace {

using xiaoqu::notify::normalize_phone;

struct Row {
  const char* input;
  std::optional<std::string> expected;
};

TEST(SmsPhone, NormalisesMainlandFormsToE164) {
  const Row rows[] = {
      {"13800138000", "+8613800138000"},
      {"+8613800138000", "+8613800138000"},
      {"008613800138000", "+8613800138000"},
      {"8613800138000", "+8613800138000"},
      {"138 0013 8000", "+8613800138000"},
      {"138-0013-8000", "+8613800138000"},
      {"+86 138 0013 8000", "+8613800138000"},
      {" 18511122266 ", "+8618511122266"},
      {"19912345678", "+8619912345678"},
  };
  for (const auto& r : rows) EXPECT_EQ(normalize_phone(r.input), r.expected) << r.input;
}

TEST(SmsPhone, RefusesWhatIsNotAMainlandMobile) {
  const char* rows[] = {
      "",                   // nothing
      "1380013800",         // 10 digits
      "138001380001",       // 12 digits
      "12800138000",        // no mobile range starts 12
      "23800138000",        // landline-like
      "+8513800138000",     // another country code
      "+85261234567",       // Hong Kong: international templates differ
      "+14155550123",       // international
      "0086138001380000",   // one digit too many
      "++8613800138000",    // two plus signs
      "13800138000+",       // plus after digits
      "1380013800a",        // a letter
      "+13800138000",       // a plus without the 86
      "86138001380",        // 11 digits starting 86 is not 1xx
      "(138)00138000",      // brackets
  };
  for (const char* r : rows) EXPECT_EQ(normalize_phone(r), std::nullopt) << r;
}

}  // namespace
