// The compact pieces of a case's state: interned department ids and hashed event ids.
#include <gtest/gtest.h>

#include "relmap/aggregation/aggregator.hpp"

namespace relmap::aggregation {
namespace {

TEST(DepartmentName, OneHandlePerNameOrderedByText) {
  const DepartmentName billing("Billing");
  const std::string spelled = std::string("Bill") + "ing";
  EXPECT_EQ(billing, DepartmentName(spelled));
  EXPECT_EQ(&billing.str(), &DepartmentName(spelled).str()) << "held once";
  EXPECT_NE(billing, DepartmentName("billing"));
  EXPECT_LT(DepartmentName("Archive"), billing);
  EXPECT_GT(DepartmentName("IT"), billing);
  EXPECT_EQ(DepartmentName().str(), "");
  EXPECT_TRUE(billing == std::string_view("Billing"));
}

TEST(EventIdHash, IsStableBecauseTheChangelogStoresIt) {
  // XXH3-64 of this id: a different value would leave every stored changelog unreadable as state.
  EXPECT_EQ(event_id_hash("jira-88412-3"), 1405161397285013867ULL);
  EXPECT_NE(event_id_hash("jira-88412-3"), event_id_hash("jira-88412-4"));
}

TEST(CaseState, KeepsTheDepartmentsOfACaseSortedAndOnce) {
  CaseState state;
  for (const char* name : {"Sales", "IT", "Sales", "Billing"}) state.departments.emplace(name);
  ASSERT_EQ(state.departments.size(), 3u);
  EXPECT_EQ(state.departments.begin()->str(), "Billing");
  EXPECT_EQ(state.departments.rbegin()->str(), "Sales");
}

}  // namespace
}  // namespace relmap::aggregation
