// SPDX-License-Identifier: Apache-2.0
// s3://BUCKET/KEY — requests signed with AWS Signature V4 by libcurl (CURLOPT_AWS_SIGV4);
// payloads are sent as UNSIGNED-PAYLOAD (TLS protects them; hashing a streamed part first
// would mean holding it twice). Small archives go up in one PutObject, larger ones as a
// multipart upload of part_bytes parts (aborted on failure, so no orphan parts stay billed).
//
// Configuration, as the AWS CLI reads it: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1), AWS_ENDPOINT_URL
// (or --s3-endpoint) for S3-compatible servers. Addressing: virtual-host style
// (BUCKET.s3.REGION.amazonaws.com) on AWS, path style (ENDPOINT/BUCKET/KEY) with a custom
// endpoint or --s3-path-style.
#include <memory>

#include "vc/cli/snapshot/http_call.h"
#include "vc/cli/snapshot/s3_answers.h"
#include "vc/cli/snapshot/store.h"
#include "vc/kube/resource.h"
#include "vc/log.h"

namespace vc::cli::snapshot {
namespace {

std::string EnvValue(const kube::Environment& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

struct S3Config {
  std::string access_key, secret_key, session_token, region;
  std::string object_url;  // without query
  StoreOptions options;
};

class S3Client {
 public:
  explicit S3Client(S3Config config) : c_(std::move(config)) {}

  StatusOr<HttpResponse> Do(HttpCall call, const std::string& query) {
    call.url = c_.object_url + (query.empty() ? "" : "?" + query);
    call.aws_sigv4 = "aws:amz:" + c_.region + ":s3";
    call.userpwd = c_.access_key + ":" + c_.secret_key;
    call.headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
    if (!c_.session_token.empty())
      call.headers.push_back("x-amz-security-token: " + c_.session_token);
    call.tls.insecure = c_.options.insecure;
    call.tls.ca_file = c_.options.ca_file;
    return Perform(call);
  }

  Status Explain(const HttpResponse& r, const std::string& what) const {
    return ExplainS3Answer(r.status, r.body, c_.object_url, c_.access_key, what);
  }

  const S3Config& config() const { return c_; }

 private:
  S3Config c_;
};

class S3Upload : public ArchiveUpload {
 public:
  S3Upload(std::shared_ptr<S3Client> client, size_t part_bytes)
      : client_(std::move(client)), part_bytes_(std::max<size_t>(part_bytes, 5 << 20)) {
    part_.reserve(part_bytes_);
  }

  Status Write(const char* data, size_t size) override {
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
    if (upload_id_.empty()) {
      // It all fit in one part: a plain PutObject.
      HttpCall call;
      call.method = "PUT";
      call.body = &part_;
      call.headers = {"Content-Type: application/octet-stream"};
      ASSIGN_OR_RETURN(HttpResponse r, client_->Do(call, ""));
      if (r.status / 100 != 2) return client_->Explain(r, "put the snapshot");
      return Status::Ok();
    }
    if (!part_.empty()) RETURN_IF_ERROR(SendPart());
    std::string xml = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags_.size(); ++i) {
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
             XmlEscape(etags_[i]) + "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    HttpCall call;
    call.method = "POST";
    call.body = &xml;
    call.headers = {"Content-Type: application/xml"};
    ASSIGN_OR_RETURN(HttpResponse r,
                     client_->Do(call, "uploadId=" + kube::PercentEncode(upload_id_)));
    // S3 may answer 200 with an <Error> body after a long complete.
    if (r.status / 100 != 2 || IsS3Error(r.body)) {
      return client_->Explain(r, "complete the multipart upload");
    }
    upload_id_.clear();
    return Status::Ok();
  }

  void Abort() override {
    if (upload_id_.empty()) return;
    HttpCall call;
    call.method = "DELETE";
    (void)client_->Do(call, "uploadId=" + kube::PercentEncode(upload_id_));
    upload_id_.clear();
  }

 private:
  Status SendPart() {
    if (upload_id_.empty()) {
      HttpCall start;
      start.method = "POST";
      ASSIGN_OR_RETURN(HttpResponse r, client_->Do(start, "uploads="));
      if (r.status / 100 != 2) return client_->Explain(r, "start a multipart upload");
      ASSIGN_OR_RETURN(upload_id_, ParseUploadId(r.body));
    }
    HttpCall call;
    call.method = "PUT";
    call.body = &part_;
    ASSIGN_OR_RETURN(HttpResponse r,
                     client_->Do(call, "partNumber=" + std::to_string(etags_.size() + 1) +
                                           "&uploadId=" + kube::PercentEncode(upload_id_)));
    if (r.status / 100 != 2)
      return client_->Explain(r, "upload part " + std::to_string(etags_.size() + 1));
    etags_.push_back(r.Header("etag"));
    part_.clear();
    return Status::Ok();
  }

  std::shared_ptr<S3Client> client_;
  const size_t part_bytes_;
  std::string part_;
  std::string upload_id_;
  std::vector<std::string> etags_;
};

class S3Store : public SnapshotStore {
 public:
  explicit S3Store(std::shared_ptr<S3Client> client, StatusOr<bool> configured)
      : client_(std::move(client)), configured_(std::move(configured)) {}

  StatusOr<std::unique_ptr<ArchiveUpload>> Create(const nlohmann::json&) override {
    RETURN_IF_ERROR(configured_);
    return std::unique_ptr<ArchiveUpload>(
        new S3Upload(client_, client_->config().options.part_bytes));
  }

  Status Read(const vc::snapshot::ByteSink& sink) override {
    RETURN_IF_ERROR(configured_);
    HttpCall call;
    call.response_sink = sink;
    ASSIGN_OR_RETURN(HttpResponse r, client_->Do(call, ""));
    if (r.status / 100 != 2) return client_->Explain(r, "get the snapshot");
    return Status::Ok();
  }

 private:
  std::shared_ptr<S3Client> client_;
  StatusOr<bool> configured_;
};

}  // namespace

S3Target ResolveS3Target(const Location& location, const StoreOptions& options) {
  S3Target t;
  t.region = EnvValue(options.env, "AWS_REGION");
  if (t.region.empty()) t.region = EnvValue(options.env, "AWS_DEFAULT_REGION");
  if (t.region.empty()) t.region = "us-east-1";
  std::string endpoint = options.s3_endpoint;
  if (endpoint.empty()) endpoint = EnvValue(options.env, "AWS_ENDPOINT_URL_S3");
  if (endpoint.empty()) endpoint = EnvValue(options.env, "AWS_ENDPOINT_URL");
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  t.path_style = options.s3_path_style ||
                 (!endpoint.empty() && EnvValue(options.env, "VC_S3_VIRTUAL_HOST").empty());
  if (endpoint.empty()) endpoint = "https://s3." + t.region + ".amazonaws.com";
  const std::string key = kube::PercentEncode(location.key, "/");
  if (t.path_style) {
    t.object_url = endpoint + "/" + location.bucket + "/" + key;
  } else {
    const auto scheme = endpoint.find("://");
    t.object_url = endpoint.substr(0, scheme + 3) + location.bucket + "." +
                   endpoint.substr(scheme + 3) + "/" + key;
  }
  return t;
}

std::unique_ptr<SnapshotStore> NewS3Store(const Location& location, const StoreOptions& options) {
  S3Config c;
  c.options = options;
  c.access_key = EnvValue(options.env, "AWS_ACCESS_KEY_ID");
  c.secret_key = EnvValue(options.env, "AWS_SECRET_ACCESS_KEY");
  c.session_token = EnvValue(options.env, "AWS_SESSION_TOKEN");
  const S3Target target = ResolveS3Target(location, options);
  c.region = target.region;
  c.object_url = target.object_url;
  StatusOr<bool> configured = true;
  if (c.access_key.empty() || c.secret_key.empty()) {
    configured = Status(Code::kUnauthorized,
                        "s3://" + location.bucket +
                            ": no credentials: set AWS_ACCESS_KEY_ID and "
                            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)");
  }
  return std::make_unique<S3Store>(std::make_shared<S3Client>(std::move(c)), std::move(configured));
}

}  // namespace vc::cli::snapshot
