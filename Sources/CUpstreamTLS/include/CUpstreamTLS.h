#ifndef CUPSTREAMTLS_H
#define CUPSTREAMTLS_H
// HTTPS to `record`'s upstream through the system's libcurl, loaded with dlopen only when
// an https upstream is asked for: no curl headers at build time, no libcurl mapped at the
// server's start. The toolchain's FoundationNetworking links the same libcurl.so.4, so it
// is present wherever the toolchain runs.
#include <stddef.h>

// Loads libcurl.so.4 once (thread-safe). 0 on success; otherwise -1 and `error` says why.
int upstream_tls_load(char *error, size_t error_size);

typedef struct {
    long status;
    // The last response's header block as received ("Name: value\r\n" lines, status line first).
    char *headers;
    size_t headers_length;
    unsigned char *body;
    size_t body_length;
    // Set when the exchange failed before an answer: curl's code and its message.
    int curl_code;
    int timed_out;
    // The TLS handshake or the certificate check failed (curl 35, 58, 60, 77, 83).
    int tls_failed;
    char error[512];
} upstream_tls_result;

// One exchange on its own connection. `headers` are "Name: value" lines; `ca_path` may be
// NULL (the system's CA store). 0 when the upstream answered; -1 otherwise (see `result`).
// `result` must be released with upstream_tls_result_free either way.
int upstream_tls_exchange(
    const char *method, const char *url, const char *const *headers, size_t header_count,
    const unsigned char *body, size_t body_length, int send_body, const char *ca_path, long timeout_ms,
    upstream_tls_result *result);

void upstream_tls_result_free(upstream_tls_result *result);

#endif
