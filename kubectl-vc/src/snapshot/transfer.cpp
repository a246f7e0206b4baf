// SPDX-License-Identifier: Apache-2.0
// The three streaming pipelines of snapshot_flow.h. Each stage runs on its own thread and
// talks to the next through a BytePipe; the first stage to fail records why (FirstError) and
// fails every pipe, so the others stop at once and the user sees the cause, not its echoes.
#include <mutex>
#include <ostream>
#include <thread>

#include "vc/cli/snapshot/byte_pipe.h"
#include "vc/cli/snapshot/snapshot_flow.h"
#include "vc/json_text.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;

class FirstError {
 public:
  void Record(const Status& s) {
    std::lock_guard lock(mu_);
    if (first_.ok() && !s.ok()) first_ = s;
  }
  Status Get() {
    std::lock_guard lock(mu_);
    return first_;
  }

 private:
  std::mutex mu_;
  Status first_;
};

std::string KeyHex(const vc::snapshot::EncryptionKey& key) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : key.bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

// container:///data/REL -> REL
std::string PodRelative(const Location& l) { return l.path.substr(std::string("/data/").size()); }

}  // namespace

StatusOr<json> TakeSnapshot(const PodEndpoint& endpoint, const TransferOptions& options,
                            std::ostream& err) {
  if (options.location.scheme == Location::Scheme::kContainer) {
    json body = {{"meta", options.meta}, {"to", PodRelative(options.location)}};
    if (options.key) body["encryptionKey"] = KeyHex(*options.key);
    const std::string text = body.dump();
    HttpCall call = endpoint.Call("POST", "/snapshot");
    call.body = &text;
    call.headers = {"Content-Type: application/json"};
    ASSIGN_OR_RETURN(HttpResponse r, Perform(call));
    if (r.status != 200) return endpoint.Explain(r, "take the snapshot");
    const json answer = json::parse(r.body, nullptr, false);
    const auto bytes = answer.is_object() ? answer.find("bytes") : answer.end();
    const auto meta = answer.is_object() ? answer.find("meta") : answer.end();
    if (meta == answer.end() || !meta->is_object()) {
      return Internal(
          "take the snapshot: the pod's answer has no meta.json object (is the "
          "syncer image of another kubectl-vc version?)");
    }
    err << "  wrote " << (bytes != answer.end() && bytes->is_number() ? bytes->dump() : "?")
        << " bytes to " << options.location.path << " inside the pod\n";
    return *meta;
  }
  ASSIGN_OR_RETURN(auto store, OpenStore(options.location, options.store));
  BytePipe from_pod;
  FirstError first;
  TransferMeter meter(err, "snapshot");
  std::unique_ptr<ArchiveUpload> upload;
  json meta;
  std::thread writer([&] {
    auto result = Transcode([&](char* d, size_t n) { return from_pod.Read(d, n); }, std::nullopt,
                            [&](const json& m) -> StatusOr<vc::snapshot::ByteSink> {
                              ASSIGN_OR_RETURN(upload, store->Create(m));
                              return vc::snapshot::ByteSink([&](const char* d, size_t n) {
                                meter.Add(n);
                                return upload->Write(d, n);
                              });
                            },
                            options.key);
    Status s = result.status();
    if (s.ok()) {
      meta = *result;
      s = upload->Commit();
    }
    if (!s.ok()) {
      first.Record(s);
      from_pod.Fail(s);
    }
  });
  const std::string body = json{{"meta", options.meta}}.dump();
  HttpCall call = endpoint.Call("POST", "/snapshot");
  call.body = &body;
  call.headers = {"Content-Type: application/json"};
  call.response_sink = [&](const char* d, size_t n) { return from_pod.Write(d, n); };
  auto r = Perform(call);
  if (!r.ok()) {
    first.Record(r.status());
    from_pod.Fail(r.status());
  } else if (r->status != 200) {
    Status s = endpoint.Explain(*r, "take the snapshot");
    first.Record(s);
    from_pod.Fail(s);
  } else {
    from_pod.Close();
  }
  writer.join();
  if (Status s = first.Get(); !s.ok()) {
    if (upload) upload->Abort();
    return s;
  }
  meter.Finish();
  meta["archiveBytes"] = meter.bytes();
  return meta;
}

StatusOr<json> StageSnapshot(const PodEndpoint& endpoint, const TransferOptions& options,
                             std::ostream& err) {
  if (options.location.scheme == Location::Scheme::kContainer) {
    json body = {{"from", PodRelative(options.location)}};
    if (options.key) body["encryptionKey"] = KeyHex(*options.key);
    const std::string text = body.dump();
    HttpCall call = endpoint.Call("POST", "/restore");
    call.body = &text;
    call.headers = {"Content-Type: application/json"};
    ASSIGN_OR_RETURN(HttpResponse r, Perform(call));
    if (r.status != 200) return endpoint.Explain(r, "stage the snapshot");
    return json::parse(r.body, nullptr, false);
  }
  ASSIGN_OR_RETURN(auto store, OpenStore(options.location, options.store));
  BytePipe from_store, to_pod;
  FirstError first;
  TransferMeter meter(err, "restore");
  auto fail_all = [&](const Status& s) {
    first.Record(s);
    from_store.Fail(s);
    to_pod.Fail(s);
  };
  std::thread reader([&] {
    Status s = store->Read([&](const char* d, size_t n) { return from_store.Write(d, n); });
    if (s.ok()) {
      from_store.Close();
    } else {
      fail_all(s);
    }
  });
  std::thread transcoder([&] {
    auto result = Transcode([&](char* d, size_t n) { return from_store.Read(d, n); }, options.key,
                            [&](const json&) -> StatusOr<vc::snapshot::ByteSink> {
                              return vc::snapshot::ByteSink([&](const char* d, size_t n) {
                                meter.Add(n);
                                return to_pod.Write(d, n);
                              });
                            },
                            std::nullopt);
    if (result.ok()) {
      to_pod.Close();
    } else {
      fail_all(result.status());
    }
  });
  HttpCall call = endpoint.Call("PUT", "/restore");
  call.headers = {"Content-Type: " + std::string(vc::snapshot::kMediaTypeArchive)};
  call.body_source = [&](char* d, size_t n) { return to_pod.Read(d, n); };
  call.body_size = -1;  // chunked: the plain archive's size is known only at its end
  auto r = Perform(call);
  json meta;
  if (!r.ok()) {
    fail_all(r.status());
  } else if (r->status != 200) {
    fail_all(endpoint.Explain(*r, "stage the snapshot"));
  } else {
    meta = json::parse(r->body, nullptr, false);
  }
  reader.join();
  transcoder.join();
  RETURN_IF_ERROR(first.Get());
  meter.Finish();
  return meta;
}

StatusOr<json> InspectSnapshot(const TransferOptions& options, bool verify, bool side_copy) {
  if (options.location.scheme == Location::Scheme::kContainer) {
    return InvalidArgument(
        "inspect reads snapshots on this machine, in a registry or a bucket; "
        "a container:// snapshot is inside a pod");
  }
  ASSIGN_OR_RETURN(auto store, OpenStore(options.location, options.store));
  if (!verify && side_copy) {
    ASSIGN_OR_RETURN(auto stored, store->ReadStoredMeta());
    if (stored) {
      (*stored)["archiveBytes"] = store->size_hint();
      (*stored)["verified"] = false;
      return *stored;
    }
  }
  // Read the archive: meta.json first, then (verify) every entry to its end.
  BytePipe pipe(4 << 20);
  FirstError first;
  uint64_t bytes = 0;
  const Status stop(Code::kCancelled, "enough read");
  std::thread reader([&] {
    Status s = store->Read([&](const char* d, size_t n) {
      bytes += n;
      return pipe.Write(d, n);
    });
    if (s.ok()) {
      pipe.Close();
    } else {
      first.Record(s);
      pipe.Fail(s);
    }
  });
  vc::snapshot::ArchiveReader archive([&](char* d, size_t n) { return pipe.Read(d, n); },
                                      options.key);
  json meta;
  vc::snapshot::ArchiveInfo info;
  Status status = [&]() -> Status {
    auto opened = archive.Open();
    if (!opened.ok() && opened.status().code() == Code::kFailedPrecondition &&
        opened.status().message().find("is encrypted") != std::string::npos && !verify) {
      return opened.status();
    }
    ASSIGN_OR_RETURN(info, std::move(opened));
    ASSIGN_OR_RETURN(auto entry, archive.Next());
    if (!entry || entry->kind != vc::snapshot::EntryKind::kMeta) {
      return InvalidArgument("snapshot is corrupted: it does not start with meta.json");
    }
    ASSIGN_OR_RETURN(std::string text, vc::snapshot::ReadEntryToString(archive));
    ASSIGN_OR_RETURN(meta, ParseJsonText(text, "snapshot is corrupted: meta.json"));
    if (!meta.is_object()) return InvalidArgument("snapshot is corrupted: meta.json is not JSON");
    if (!verify) return Status::Ok();
    while (true) {
      ASSIGN_OR_RETURN(auto e, archive.Next());
      if (!e) break;
    }
    return Status::Ok();
  }();
  if (!status.ok()) {
    first.Record(status);
    pipe.Fail(status);
  } else if (!verify) {
    pipe.Fail(stop);  // the rest is not needed: stop the download
  }
  reader.join();
  Status s = first.Get();
  if (!s.ok() && !(s.code() == Code::kCancelled && s.message() == stop.message())) return s;
  meta["formatVersion"] = info.format_version;
  meta["encrypted"] = info.encrypted;
  if (info.encrypted) meta["keyId"] = info.key_id;
  meta["verified"] = verify;
  meta["archiveBytes"] = verify ? bytes : store->size_hint();
  return meta;
}

}  // namespace vc::cli::snapshot
