// SPDX-License-Identifier: Apache-2.0
// oci://REGISTRY/REPOSITORY:TAG — a snapshot as an OCI artifact: an image manifest whose
// config blob is the archive's meta.json (application/vnd.kubectl-vc.snapshot.config.v1+json,
// so inspect needs no download of the archive) and whose one layer is the archive
// (application/vnd.kubectl-vc.snapshot.v1+vcsnap). The layer goes up as a chunked upload
// (POST, PATCH per part with Content-Range, PUT ?digest=), its sha256 computed on the way.
#include <openssl/evp.h>

#include <memory>

#include "vc/cli/snapshot/registry_client.h"
#include "vc/json_text.h"
#include "vc/log.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;

constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  void Update(const char* d, size_t n) { EVP_DigestUpdate(ctx_, d, n); }
  std::string Digest() {
    unsigned char out[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, out, &len);
    static const char* kHex = "0123456789abcdef";
    std::string hex = "sha256:";
    for (unsigned i = 0; i < len; ++i) {
      hex.push_back(kHex[out[i] >> 4]);
      hex.push_back(kHex[out[i] & 15]);
    }
    return hex;
  }

 private:
  EVP_MD_CTX* ctx_;
};

std::string WithQuery(const std::string& location, const std::string& query) {
  return location + (location.find('?') == std::string::npos ? "?" : "&") + query;
}

StatusOr<std::string> StartUpload(RegistryClient& client) {
  HttpCall call;
  call.method = "POST";
  call.url = "/blobs/uploads/";
  ASSIGN_OR_RETURN(HttpResponse r, client.Do(call));
  if (r.status != 202) return client.Explain(r, "start a blob upload");
  const std::string location = r.Header("location");
  if (location.empty())
    return Internal("registry " + client.location().registry + ": upload without a Location");
  return location;
}

// The small blobs (config) in one PUT.
StatusOr<std::string> PushSmallBlob(RegistryClient& client, const std::string& data) {
  Sha256 sha;
  sha.Update(data.data(), data.size());
  const std::string digest = sha.Digest();
  ASSIGN_OR_RETURN(std::string location, StartUpload(client));
  HttpCall call;
  call.method = "PUT";
  call.url = WithQuery(location, "digest=" + digest);
  call.body = &data;
  call.headers = {"Content-Type: application/octet-stream"};
  ASSIGN_OR_RETURN(HttpResponse r, client.Do(call));
  if (r.status != 201) return client.Explain(r, "push the snapshot's config blob");
  return digest;
}

class OciUpload : public ArchiveUpload {
 public:
  OciUpload(std::shared_ptr<RegistryClient> client, json meta, std::string location,
            size_t part_bytes)
      : client_(std::move(client)),
        meta_(std::move(meta)),
        location_(std::move(location)),
        part_bytes_(part_bytes) {
    part_.reserve(part_bytes_);
  }

  Status Write(const char* data, size_t size) override {
    sha_.Update(data, size);
    while (size > 0) {
      const size_t n = std::min(size, part_bytes_ - part_.size());
      part_.append(data, n);
      data += n;
      size -= n;
      if (part_.size() == part_bytes_) RETURN_IF_ERROR(SendPart());
    }
    return Status::Ok();
  }

  Status Commit() override {
    if (!part_.empty()) RETURN_IF_ERROR(SendPart());
    const std::string digest = sha_.Digest();
    HttpCall call;
    call.method = "PUT";
    call.url = WithQuery(location_, "digest=" + digest);
    ASSIGN_OR_RETURN(HttpResponse r, client_->Do(call));
    if (r.status != 201) return client_->Explain(r, "finish the snapshot blob upload");
    location_.clear();

    // The config blob is readable without the key: for an encrypted snapshot it keeps what
    // inspect shows but not the values (they may name secrets).
    json config_doc = meta_;
    if (meta_.value("encrypted", false)) {
      config_doc.erase("values");
      config_doc["valuesEncrypted"] = true;
    }
    const std::string config = config_doc.dump();
    ASSIGN_OR_RETURN(std::string config_digest, PushSmallBlob(*client_, config));
    const json manifest = {
        {"schemaVersion", 2},
        {"mediaType", kManifestType},
        {"artifactType", vc::snapshot::kArtifactType},
        {"config",
         {{"mediaType", vc::snapshot::kMediaTypeConfig},
          {"digest", config_digest},
          {"size", config.size()}}},
        {"layers",
         json::array({{{"mediaType", vc::snapshot::kMediaTypeArchive},
                       {"digest", digest},
                       {"size", offset_},
                       {"annotations", {{"org.opencontainers.image.title", "snapshot.vcsnap"}}}}})},
        {"annotations",
         {{"org.opencontainers.image.created", meta_.value("createdAt", "")},
          {"dev.kubectl-vc.snapshot.cluster",
           meta_.contains("cluster") ? meta_["cluster"].value("name", "") : ""}}},
    };
    const std::string body = manifest.dump();
    HttpCall put;
    put.method = "PUT";
    put.url = "/manifests/" + client_->location().reference;
    put.body = &body;
    put.headers = {std::string("Content-Type: ") + kManifestType};
    ASSIGN_OR_RETURN(HttpResponse m, client_->Do(put));
    if (m.status != 201) return client_->Explain(m, "push the snapshot manifest");
    VC_LOG(Info) << "pushed " << client_->location().url << " layer " << digest;
    return Status::Ok();
  }

  void Abort() override {
    if (location_.empty()) return;
    HttpCall call;
    call.method = "DELETE";
    call.url = location_;
    (void)client_->Do(call);
    location_.clear();
  }

 private:
  Status SendPart() {
    HttpCall call;
    call.method = "PATCH";
    call.url = location_;
    call.body = &part_;
    call.headers = {"Content-Type: application/octet-stream",
                    "Content-Range: " + std::to_string(offset_) + "-" +
                        std::to_string(offset_ + part_.size() - 1)};
    ASSIGN_OR_RETURN(HttpResponse r, client_->Do(call));
    if (r.status != 202) return client_->Explain(r, "upload part of the snapshot blob");
    if (const std::string next = r.Header("location"); !next.empty()) location_ = next;
    offset_ += part_.size();
    part_.clear();
    return Status::Ok();
  }

  std::shared_ptr<RegistryClient> client_;
  json meta_;
  std::string location_;
  const size_t part_bytes_;
  std::string part_;
  uint64_t offset_ = 0;
  Sha256 sha_;
};

class OciStore : public SnapshotStore {
 public:
  OciStore(const Location& location, const StoreOptions& options)
      : client_(std::make_shared<RegistryClient>(location, options)),
        part_bytes_(options.part_bytes) {}

  StatusOr<std::unique_ptr<ArchiveUpload>> Create(const json& meta) override {
    ASSIGN_OR_RETURN(std::string location, StartUpload(*client_));
    return std::unique_ptr<ArchiveUpload>(new OciUpload(client_, meta, location, part_bytes_));
  }

  Status Read(const vc::snapshot::ByteSink& sink) override {
    ASSIGN_OR_RETURN(SnapshotManifest manifest, Manifest());
    if (!manifest.has_archive) {
      return InvalidArgument(client_->location().url + ": the manifest has no snapshot layer");
    }
    size_ = manifest.archive_size;
    const std::string& digest = manifest.archive_digest;
    HttpCall call;
    call.url = "/blobs/" + digest;
    call.follow_redirects = true;  // registries hand blobs to their storage
    Sha256 sha;
    uint64_t bytes = 0;
    call.response_sink = [&](const char* d, size_t n) {
      sha.Update(d, n);
      bytes += n;
      return sink(d, n);
    };
    ASSIGN_OR_RETURN(HttpResponse r, client_->Do(call));
    if (r.status / 100 != 2) return client_->Explain(r, "pull the snapshot blob " + digest);
    if (const std::string got = sha.Digest(); got != digest) {
      return InvalidArgument("snapshot is corrupted: blob " + digest + " from registry " +
                             client_->location().registry + " has digest " + got +
                             " (the registry's copy is damaged; push the snapshot again)");
    }
    return Status::Ok();
  }

  uint64_t size_hint() const override { return size_; }

  // The config blob: the archive's meta.json, without downloading the archive.
  StatusOr<std::optional<json>> ReadStoredMeta() override {
    ASSIGN_OR_RETURN(SnapshotManifest manifest, Manifest());
    if (manifest.has_archive) size_ = manifest.archive_size;
    const std::string& digest = manifest.config_digest;
    HttpCall call;
    call.url = "/blobs/" + digest;
    call.follow_redirects = true;
    ASSIGN_OR_RETURN(HttpResponse r, client_->Do(call));
    if (r.status / 100 != 2) return client_->Explain(r, "pull the snapshot config " + digest);
    ASSIGN_OR_RETURN(json meta,
                     ParseJsonText(r.body, client_->location().url + ": its config blob"));
    if (!meta.is_object())
      return InvalidArgument(client_->location().url + ": its config blob is not a JSON object");
    return std::optional<json>(meta);
  }

 private:
  StatusOr<SnapshotManifest> Manifest() {
    HttpCall call;
    call.url = "/manifests/" + client_->location().reference;
    call.headers = {std::string("Accept: ") + kManifestType};
    ASSIGN_OR_RETURN(HttpResponse r, client_->Do(call));
    if (r.status == 404) {
      return NotFound("snapshot " + client_->location().url + " not found: registry " +
                      client_->location().registry + " has no " + client_->location().repository +
                      ":" + client_->location().reference);
    }
    if (r.status / 100 != 2) return client_->Explain(r, "get the manifest");
    return ParseSnapshotManifest(r.body, client_->location().url);
  }

  std::shared_ptr<RegistryClient> client_;
  size_t part_bytes_;
  uint64_t size_ = 0;
};

}  // namespace

std::unique_ptr<SnapshotStore> NewOciStore(const Location& location, const StoreOptions& options) {
  return std::make_unique<OciStore>(location, options);
}

}  // namespace vc::cli::snapshot
