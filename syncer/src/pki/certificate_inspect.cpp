// SPDX-License-Identifier: Apache-2.0
// Reading certificates back: what they say (InspectCertificate), whether they chain to a CA
// (VerifyCertificate) and whether they still say what a spec asks (Matches).
#include <arpa/inet.h>

#include <ctime>
#include <set>

#include "pki/openssl_util.h"
#include "vc/syncer/pki/certificate.h"

namespace vc::syncer::pki {
namespace internal {

std::chrono::system_clock::time_point ToTimePoint(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace internal
namespace {

using internal::OpenSslError;

std::string Utf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  const int n = ASN1_STRING_to_UTF8(&out, s);
  if (n < 0) return {};
  std::string result(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return result;
}

std::vector<std::string> NameEntries(X509_NAME* name, int nid) {
  std::vector<std::string> values;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    values.push_back(Utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))));
  }
  return values;
}

std::string IpText(const unsigned char* bytes, int length) {
  char buf[INET6_ADDRSTRLEN] = {};
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : -1;
  if (family < 0 || inet_ntop(family, bytes, buf, sizeof(buf)) == nullptr) return {};
  return buf;
}

// "10.0.0.01" and "::0:1" compare equal to what the certificate holds.
std::string NormaliseIp(const std::string& ip) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) return IpText(buf, 4);
  if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) return IpText(buf, 16);
  return ip;
}

}  // namespace

StatusOr<CertificateInfo> InspectCertificate(std::string_view certificate_pem) {
  ASSIGN_OR_RETURN(internal::X509Ptr cert, internal::ParseCertificate(certificate_pem));
  X509* c = cert.get();
  CertificateInfo info;
  X509_NAME* subject = X509_get_subject_name(c);
  const auto cns = NameEntries(subject, NID_commonName);
  info.subject.common_name = cns.empty() ? std::string() : cns.front();
  info.subject.organizations = NameEntries(subject, NID_organizationName);

  internal::GeneralNames names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(c, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      info.dns_names.push_back(Utf8(name->d.dNSName));
    } else if (name->type == GEN_IPADD) {
      info.ip_addresses.push_back(
          IpText(ASN1_STRING_get0_data(name->d.iPAddress), ASN1_STRING_length(name->d.iPAddress)));
    }
  }
  // Absent extensions read as "everything allowed" (UINT32_MAX); we want what is written.
  const uint32_t flags = X509_get_extension_flags(c);
  info.is_ca = (flags & EXFLAG_CA) != 0;
  if ((flags & EXFLAG_XKUSAGE) != 0) {
    const uint32_t xku = X509_get_extended_key_usage(c);
    info.server_auth = (xku & XKU_SSL_SERVER) != 0;
    info.client_auth = (xku & XKU_SSL_CLIENT) != 0;
  }
  if ((flags & EXFLAG_KUSAGE) != 0) {
    const uint32_t ku = X509_get_key_usage(c);
    info.digital_signature = (ku & KU_DIGITAL_SIGNATURE) != 0;
    info.key_cert_sign = (ku & KU_KEY_CERT_SIGN) != 0;
  }
  info.not_before = internal::ToTimePoint(X509_get0_notBefore(c));
  info.not_after = internal::ToTimePoint(X509_get0_notAfter(c));
  ERR_clear_error();
  return info;
}

Status VerifyCertificate(std::string_view certificate_pem, std::string_view ca_certificate_pem,
                         WallClock::time_point at) {
  ASSIGN_OR_RETURN(internal::X509Ptr cert, internal::ParseCertificate(certificate_pem));
  ASSIGN_OR_RETURN(internal::X509Ptr ca, internal::ParseCertificate(ca_certificate_pem));
  internal::X509Store store(X509_STORE_new());
  internal::X509StoreCtx ctx(X509_STORE_CTX_new());
  if (store == nullptr || ctx == nullptr || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1) {
    return OpenSslError("verify certificate");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), WallClock::to_time_t(at));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return FailedPrecondition(std::string("verify certificate: ") +
                              X509_verify_cert_error_string(err));
  }
  return Status::Ok();
}

bool Matches(const CertificateInfo& info, const CertificateSpec& spec) {
  auto normalised_ips = [](const std::vector<std::string>& ips) {
    std::set<std::string> out;
    for (const auto& ip : ips) out.insert(NormaliseIp(ip));
    return out;
  };
  auto as_set = [](const std::vector<std::string>& v) {
    return std::set<std::string>(v.begin(), v.end());
  };
  return info.subject.common_name == spec.subject.common_name &&
         as_set(info.subject.organizations) == as_set(spec.subject.organizations) &&
         info.server_auth == spec.server_auth && info.client_auth == spec.client_auth &&
         as_set(info.dns_names) == as_set(spec.dns_names) &&
         normalised_ips(info.ip_addresses) == normalised_ips(spec.ip_addresses);
}

}  // namespace vc::syncer::pki
