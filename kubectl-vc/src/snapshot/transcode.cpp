// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <iomanip>
#include <ostream>
#include <vector>

#include "vc/cli/snapshot/snapshot_flow.h"
#include "vc/json_text.h"

namespace vc::cli::snapshot {

using nlohmann::json;
using vc::snapshot::ArchiveReader;
using vc::snapshot::ArchiveWriter;
using vc::snapshot::EntryKind;

namespace {

std::string Mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1 << 20));
  return buf;
}

}  // namespace

TransferMeter::TransferMeter(std::ostream& err, std::string what)
    : err_(err),
      what_(std::move(what)),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double TransferMeter::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void TransferMeter::Add(uint64_t bytes) {
  std::lock_guard lock(mu_);
  bytes_ += bytes;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_print_ < std::chrono::seconds(2)) return;
  last_print_ = now;
  const double s = std::max(seconds(), 1e-3);
  err_ << "  " << what_ << ": " << Mib(static_cast<double>(bytes_)) << "  "
       << Mib(static_cast<double>(bytes_) / s) << "/s\n"
       << std::flush;
}

void TransferMeter::Finish() {
  std::lock_guard lock(mu_);
  const double s = std::max(seconds(), 1e-3);
  err_ << "  " << what_ << ": " << Mib(static_cast<double>(bytes_)) << " in " << std::fixed
       << std::setprecision(1) << s << "s (" << Mib(static_cast<double>(bytes_) / s) << "/s)\n"
       << std::defaultfloat << std::flush;
}

StatusOr<json> Transcode(const vc::snapshot::ByteSource& in,
                         const std::optional<vc::snapshot::EncryptionKey>& in_key,
                         const OpenSink& open_out,
                         const std::optional<vc::snapshot::EncryptionKey>& out_key) {
  ArchiveReader reader(in, in_key);
  RETURN_IF_ERROR(reader.Open());
  ASSIGN_OR_RETURN(auto first, reader.Next());
  if (!first || first->kind != EntryKind::kMeta) {
    return InvalidArgument("snapshot is corrupted: it does not start with meta.json");
  }
  ASSIGN_OR_RETURN(std::string meta_text, vc::snapshot::ReadEntryToString(reader));
  ASSIGN_OR_RETURN(json meta, ParseJsonText(meta_text, "snapshot is corrupted: meta.json"));
  if (!meta.is_object()) return InvalidArgument("snapshot is corrupted: meta.json is not JSON");
  meta["encrypted"] = out_key.has_value();
  meta["formatVersion"] = vc::snapshot::kFormatVersion;  // a format-1 input goes out as format 2
  ASSIGN_OR_RETURN(vc::snapshot::ByteSink sink, open_out(meta));
  ArchiveWriter writer(sink, out_key);
  const std::string out_meta = meta.dump(2);
  RETURN_IF_ERROR(writer.BeginEntry({EntryKind::kMeta, "meta.json", 0644, out_meta.size()}));
  RETURN_IF_ERROR(writer.Write(out_meta.data(), out_meta.size()));
  RETURN_IF_ERROR(writer.EndEntry());
  std::vector<char> buf(1 << 20);
  while (true) {
    ASSIGN_OR_RETURN(auto entry, reader.Next());
    if (!entry) break;
    RETURN_IF_ERROR(writer.BeginEntry(*entry));
    while (true) {
      ASSIGN_OR_RETURN(size_t n, reader.Read(buf.data(), buf.size()));
      if (n == 0) break;
      RETURN_IF_ERROR(writer.Write(buf.data(), n));
    }
    RETURN_IF_ERROR(writer.EndEntry());
  }
  RETURN_IF_ERROR(writer.Finish());
  return meta;
}

}  // namespace vc::cli::snapshot
