// SPDX-License-Identifier: Apache-2.0
#include "vc/prometheus_text.h"

#include <cmath>
#include <iomanip>

namespace vc {

std::string PrometheusText::Label(const std::string& name, const std::string& value) {
  std::string out = name + "=\"";
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void PrometheusText::Header(const std::string& name, const std::string& type,
                            const std::string& help) {
  out_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

void PrometheusText::Fixed(const std::string& name, const std::string& labels, double value,
                           int decimals) {
  std::ostringstream v;
  if (std::isinf(value)) {
    v << (value > 0 ? "+Inf" : "-Inf");
  } else {
    v << std::fixed << std::setprecision(decimals) << value;
  }
  Sample(name, labels, v.str());
}

}  // namespace vc
