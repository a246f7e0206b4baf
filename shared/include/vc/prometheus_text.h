// SPDX-License-Identifier: Apache-2.0
// Prometheus text exposition (format 0.0.4), written by hand: the node agent's and the syncer's
// /metrics. Pure.
//
//   PrometheusText w;
//   w.Header("vc_syncer_queue_depth", "gauge", "Keys waiting or being processed.");
//   w.Sample("vc_syncer_queue_depth", PrometheusText::Label("controller", "pods"), 3);
//   std::string body = w.str();
#pragma once

#include <sstream>
#include <string>

namespace vc {

class PrometheusText {
 public:
  // `name="value"` with the value escaped (backslash, quote, newline).
  static std::string Label(const std::string& name, const std::string& value);

  void Header(const std::string& name, const std::string& type, const std::string& help);
  // `labels` is empty or `a="x",b="y"` (from Label).
  template <typename T>
  void Sample(const std::string& name, const std::string& labels, T value) {
    out_ << name;
    if (!labels.empty()) out_ << "{" << labels << "}";
    out_ << " " << value << "\n";
  }
  // Seconds, unix times and other fractions, in fixed notation with `decimals` digits.
  void Fixed(const std::string& name, const std::string& labels, double value, int decimals);
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

}  // namespace vc
