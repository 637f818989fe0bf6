// Resident fields as people type them: phones, mainland ID numbers, dates, labels, names,
// and the template's rules for one person. Plain functions, no store.
#include <gtest/gtest.h>

#include "community/residents/id_number.hpp"
#include "community/shared/names.hpp"
#include "community/residents/residents.hpp"

using namespace xiaoqu::community;

namespace {
const Date kToday{2026, 11, 26};

ResidentDraft draft(std::string name, std::string identity, std::string phone) {
  ResidentDraft d;
  d.name = std::move(name);
  d.identity = std::move(identity);
  d.phone = std::move(phone);
  return d;
}

std::string fields_of(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.field + ";";
  return out;
}
}  // namespace

TEST(ResidentFields, PhonesInEveryTypedFormBecomeElevenDigits) {
  EXPECT_EQ(normalize_mobile("18913101221"), "18913101221");
  EXPECT_EQ(normalize_mobile("189 1310 1221"), "18913101221");
  EXPECT_EQ(normalize_mobile("189-1310-1221"), "18913101221");
  EXPECT_EQ(normalize_mobile("+86 189 1310 1221"), "18913101221");
  EXPECT_EQ(normalize_mobile("0086-18913101221"), "18913101221");
  EXPECT_EQ(normalize_mobile("１８９１３１０１２２１"), "18913101221");             // full-width digits
  EXPECT_EQ(normalize_mobile("＋８６　１８９－１３１０－１２２１"), "18913101221");  // full-width +, space, dash
  EXPECT_FALSE(normalize_mobile("1891310122"));    // 10 digits
  EXPECT_FALSE(normalize_mobile("12913101221"));   // no such mobile prefix
  EXPECT_FALSE(normalize_mobile("0755-86013388"));  // a landline
  EXPECT_FALSE(normalize_mobile("１８９１３１０１２２Ａ"));
}

TEST(ResidentFields, MainlandIdNumbersAreCheckedByDateRegionAndCheckDigit) {
  auto ok = check_id_number(IdType::resident_id, "11010519491231002X", kToday);
  EXPECT_TRUE(ok.ok()) << ok.error;
  auto lower = check_id_number(IdType::resident_id, " 11010519491231002x ", kToday);
  EXPECT_TRUE(lower.ok()) << lower.error;
  EXPECT_EQ(lower.number, "11010519491231002X");
  EXPECT_TRUE(check_id_number(IdType::resident_id, "440305199003077718", kToday).ok());

  EXPECT_EQ(check_id_number(IdType::resident_id, "440305199003077717", kToday).error, "身份证号码校验位不正确");
  EXPECT_EQ(check_id_number(IdType::resident_id, "44030519900307771", kToday).error, "身份证号码应为18位，实际为17位");
  // 1990-02-30 does not exist.
  EXPECT_EQ(check_id_number(IdType::resident_id, "440305199002307712", kToday).error, "身份证号码中的出生日期无效");
  // Born 2027-01-01, after "today".
  std::string future = "44030320270101123";
  future.push_back(resident_id_check_char(future));
  EXPECT_EQ(check_id_number(IdType::resident_id, future, kToday).error, "身份证号码中的出生日期晚于今天");
  std::string region = "99030319900101123";
  region.push_back(resident_id_check_char(region));
  EXPECT_EQ(check_id_number(IdType::resident_id, region, kToday).error, "身份证号码前两位不是有效的地区代码");
  EXPECT_FALSE(check_id_number(IdType::resident_id, "4403051990030777AB", kToday).ok());
}

TEST(ResidentFields, PassportsAndOtherDocumentsAreCheckedForShape) {
  EXPECT_TRUE(check_id_number(IdType::passport, "E12345678", kToday).ok());
  EXPECT_TRUE(check_id_number(IdType::other, "HK-A123456-7", kToday).ok());
  EXPECT_FALSE(check_id_number(IdType::passport, "E123", kToday).ok());
  EXPECT_FALSE(check_id_number(IdType::passport, std::string(33, 'A'), kToday).ok());
  EXPECT_FALSE(check_id_number(IdType::other, "E1234 5678", kToday).ok());
  EXPECT_FALSE(check_id_number(IdType::other, "护照12345", kToday).ok());
}

TEST(ResidentFields, DatesAsTextOrExcelSerialNumbers) {
  for (const char* text : {"2018-12-31", "2018/12/31", "2018.12.31", "2018年12月31日", " 2018-12-31 ", "20181231"})
    EXPECT_EQ(parse_date_text(text), (Date{2018, 12, 31})) << text;
  EXPECT_EQ(parse_date_text("2019/1/5"), (Date{2019, 1, 5}));
  EXPECT_FALSE(parse_date_text("2018-02-30"));
  EXPECT_FALSE(parse_date_text("2018-12"));
  EXPECT_FALSE(parse_date_text("31/12/2018"));
  EXPECT_FALSE(parse_date_text("2018-12-31x"));
  // Excel, WPS and LibreOffice store 2018-12-31 as day 43465 of the 1900 system.
  EXPECT_EQ(date_from_excel_serial(43465), (Date{2018, 12, 31}));
  EXPECT_EQ(date_from_excel_serial(43465.75), (Date{2018, 12, 31}));
  EXPECT_EQ(date_from_excel_serial(61), (Date{1900, 3, 1}));
  EXPECT_EQ(excel_serial(Date{2018, 12, 31}), 43465);
  EXPECT_FALSE(date_from_excel_serial(-1));
  EXPECT_FALSE(date_from_excel_serial(18913101221.0));
  // 2025-11-26 16:00 UTC is midnight in China.
  EXPECT_EQ(Date::today_in_china(1'764'172'800), (Date{2025, 11, 27}));
  EXPECT_EQ(Date::today_in_china(1'764'172'800 - 1), (Date{2025, 11, 26}));
}

TEST(ResidentFields, LabelsAndCodes) {
  EXPECT_EQ(identity_from_text("业主"), Identity::owner);
  EXPECT_EQ(identity_from_text("家属"), Identity::family);
  EXPECT_EQ(identity_from_text(" 长期租客 "), Identity::tenant);
  EXPECT_EQ(identity_from_text("限期租客"), Identity::fixed_term_tenant);
  EXPECT_EQ(identity_from_text("fixed_term_tenant"), Identity::fixed_term_tenant);
  EXPECT_FALSE(identity_from_text("租客"));
  EXPECT_EQ(gender_from_text("男"), Gender::male);
  EXPECT_EQ(gender_from_text("female"), Gender::female);
  EXPECT_EQ(gender_from_text(""), Gender::unspecified);
  EXPECT_FALSE(gender_from_text("未知"));
  EXPECT_EQ(id_type_from_text("居民身份证"), IdType::resident_id);
  EXPECT_EQ(to_label(Identity::tenant), "长期租客");
}

TEST(ResidentFields, NamesNormalizeForMatching) {
  EXPECT_EQ(normalize_name(" 张三 "), "张三");
  EXPECT_EQ(normalize_name("张三　"), "张三");  // ideographic space
  EXPECT_EQ(normalize_name("Ｊｏｈｎ　　Smith"), "john smith");
  EXPECT_EQ(normalize_name("JOHN \t SMITH"), "john smith");
  EXPECT_EQ(normalize_name("欧阳 娜娜"), "欧阳 娜娜");
  EXPECT_EQ(to_half_width("Ａ１０１"), "A101");
  EXPECT_EQ(utf8_length("张三abc"), 5u);
}

TEST(ResidentFields, NameAndIdentityCountOnlyWithAPhone) {
  CleanResident out;
  auto errors = validate_resident(draft("张三", "业主", ""), kToday, out);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "phone");
  EXPECT_EQ(errors[0].message, "填写姓名和身份时必须填写手机号");

  errors = validate_resident(draft("张三", "业主", "189 1310 1221"), kToday, out);
  EXPECT_TRUE(errors.empty()) << fields_of(errors);
  EXPECT_EQ(out.phone, "18913101221");
  EXPECT_EQ(out.identity, Identity::owner);

  errors = validate_resident(draft("", "", "18913101221"), kToday, out);
  EXPECT_EQ(fields_of(errors), "name;identity;");
}

TEST(ResidentFields, LeaseEndOnlyForFixedTermTenants) {
  CleanResident out;
  auto d = draft("刘六", "限期租客", "18913104444");
  auto errors = validate_resident(d, kToday, out);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "限期租客必须填写租期截止日期");
  d.lease_end = "2018年12月31日";
  EXPECT_TRUE(validate_resident(d, kToday, out).empty());
  EXPECT_EQ(out.lease_end, (Date{2018, 12, 31}));
  d.lease_end = "明年";
  EXPECT_EQ(fields_of(validate_resident(d, kToday, out)), "lease_end;");

  auto owner = draft("张三", "业主", "18913101111");
  owner.lease_end = "2018-12-31";
  errors = validate_resident(owner, kToday, out);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "只有限期租客可以填写租期截止日期");
}

TEST(ResidentFields, IdNumbersAreCheckedAgainstTheirType) {
  CleanResident out;
  auto d = draft("张三", "业主", "18913101111");
  d.id_number = "11010519491231002x";  // no type: taken as a resident ID
  EXPECT_TRUE(validate_resident(d, kToday, out).empty());
  EXPECT_EQ(out.id_type, IdType::resident_id);
  EXPECT_EQ(out.id_number, "11010519491231002X");
  d.id_number = "E12345678";
  EXPECT_EQ(fields_of(validate_resident(d, kToday, out)), "id_number;");
  d.id_type = "护照";
  EXPECT_TRUE(validate_resident(d, kToday, out).empty());
  EXPECT_EQ(out.id_type, IdType::passport);
  d.id_type = "驾照";
  EXPECT_EQ(fields_of(validate_resident(d, kToday, out)), "id_type;");
  d.id_type = "身份证";
  d.id_number = "";
  EXPECT_EQ(fields_of(validate_resident(d, kToday, out)), "id_number;");
  d.gender = "M";
  d.id_type = "";
  EXPECT_EQ(fields_of(validate_resident(d, kToday, out)), "gender;");
}
