// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/output/output.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "vc/yaml.h"

namespace vc::cli::output {

StatusOr<Format> ParseFormat(const std::string& text) {
  if (text.empty() || text == "table" || text == "wide") return Format::kTable;
  if (text == "json") return Format::kJson;
  if (text == "yaml") return Format::kYaml;
  if (text == "name") return Format::kName;
  return InvalidArgument("unknown output format \"" + text +
                         "\": use -o table, -o json, -o yaml or -o name");
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      text += cell;
      if (i + 1 < header.size()) text += std::string(width[i] - cell.size() + 3, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
}

std::string HumanDuration(std::chrono::seconds age) {
  long long s = std::max<long long>(0, age.count());
  if (s < 60 * 2) return std::to_string(s) + "s";
  long long m = s / 60;
  if (m < 10) {
    const long long rest = s % 60;
    return std::to_string(m) + "m" + (rest == 0 ? "" : std::to_string(rest) + "s");
  }
  if (m < 60 * 3) return std::to_string(m) + "m";
  long long h = m / 60;
  if (h < 8) {
    const long long rest = m % 60;
    return std::to_string(h) + "h" + (rest == 0 ? "" : std::to_string(rest) + "m");
  }
  if (h < 48) return std::to_string(h) + "h";
  const long long d = h / 24;
  if (d < 8) {
    const long long rest = h % 24;
    return std::to_string(d) + "d" + (rest == 0 ? "" : std::to_string(rest) + "h");
  }
  if (d < 365 * 2) return std::to_string(d) + "d";
  if (d < 365 * 8) {
    const long long days = d % 365;
    return std::to_string(d / 365) + "y" + (days == 0 ? "" : std::to_string(days) + "d");
  }
  return std::to_string(d / 365) + "y";
}

std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& rfc3339) {
  std::tm tm{};
  std::istringstream in(rfc3339);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  const time_t t = timegm(&tm);
  return std::chrono::system_clock::from_time_t(t);
}

std::string Age(const std::string& rfc3339, std::chrono::system_clock::time_point now) {
  const auto t = ParseTime(rfc3339);
  if (!t) return "<unknown>";
  return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

void PrintList(std::ostream& out, Format format, const std::vector<nlohmann::json>& items) {
  nlohmann::json list = {{"apiVersion", "v1"},
                         {"kind", "List"},
                         {"items", items},
                         {"metadata", {{"resourceVersion", ""}}}};
  PrintObject(out, format, list);
}

void PrintObject(std::ostream& out, Format format, const nlohmann::json& object) {
  switch (format) {
    case Format::kJson:
      out << object.dump(4) << "\n";
      break;
    case Format::kYaml:
      out << yaml::Dump(object);
      break;
    case Format::kName:
    case Format::kTable:
      if (object.contains("items")) {
        for (const auto& item : object["items"]) PrintObject(out, Format::kName, item);
      } else {
        out << object.value("/metadata/name"_json_pointer, std::string()) << "\n";
      }
      break;
  }
}

void PrintManifests(std::ostream& out, Format format, const std::vector<nlohmann::json>& items) {
  switch (format) {
    case Format::kYaml:
      for (const auto& item : items) out << "---\n" << yaml::Dump(item);
      break;
    case Format::kJson:
      PrintList(out, format, items);
      break;
    case Format::kName:
    case Format::kTable:
      for (const auto& item : items) {
        std::string kind = item.value("kind", "");
        for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out << kind << "/" << item.value("/metadata/name"_json_pointer, std::string()) << "\n";
      }
      break;
  }
}

void Progress::Begin(const std::string& step) {
  if (!step_.empty()) Done();
  step_ = step;
  started_ = std::chrono::steady_clock::now();
  err_ << " * " << step << "\n" << std::flush;
}

namespace {
std::string Elapsed(std::chrono::steady_clock::time_point since) {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1fs", s);
  return buf;
}
}  // namespace

void Progress::Done(const std::string& detail) {
  if (step_.empty()) return;
  err_ << " ✓ " << step_ << (detail.empty() ? "" : ": " + detail) << " (" << Elapsed(started_)
       << ")\n"
       << std::flush;
  step_.clear();
}

void Progress::Fail(const std::string& detail) {
  if (step_.empty()) return;
  err_ << " ✗ " << step_ << (detail.empty() ? "" : ": " + detail) << " (" << Elapsed(started_)
       << ")\n"
       << std::flush;
  step_.clear();
}

void Progress::Note(const std::string& line) { err_ << "   ! " << line << "\n" << std::flush; }

void Progress::Info(const std::string& line) { err_ << line << "\n" << std::flush; }

}  // namespace vc::cli::output
