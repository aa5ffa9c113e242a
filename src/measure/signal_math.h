// signal_math.h — the small numeric helpers every measurement stage uses, in
// one place: seconds -> samples, median and quantile of a set of values.
#pragma once

#include <cmath>
#include <vector>

namespace ecgr1 {

// Nearest whole number of samples in `seconds` at rate fs.
inline int Samples(double seconds, double fs) { return static_cast<int>(std::lround(seconds * fs)); }

// Median of the finite values of v (the mean of the middle two for an even
// count); NaN when there is none. O(n) (nth_element on the copy).
double Median(std::vector<double> v);

// Value at quantile q (0..1) of v, nearest rank; NaN for an empty v. O(n).
double Quantile(std::vector<double> v, double q);

}  // namespace ecgr1
