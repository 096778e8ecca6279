#pragma once

#include <boost/outcome/result.hpp>
#include <boost/outcome/policy/terminate.hpp>

namespace relmap {

/// Value or error, for failures that are expected per message (a bad event, a rejected record).
/// Accessing the value of a failed result terminates: callers must check `has_value()` first.
template <typename T, typename E>
using Result = boost::outcome_v2::basic_result<T, E, boost::outcome_v2::policy::terminate>;

using boost::outcome_v2::success;
using boost::outcome_v2::failure;

}  // namespace relmap
