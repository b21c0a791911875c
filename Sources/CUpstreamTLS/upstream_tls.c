// libcurl through dlopen. The prototypes and option numbers below are libcurl's stable
// ABI (curl.h has kept them since 7.x; CURLOPT numbers are never reused).
#include "CUpstreamTLS.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void CURL;
struct curl_slist;
typedef int CURLcode;

enum {
    CURLOPT_WRITEDATA = 10001,
    CURLOPT_URL = 10002,
    CURLOPT_ERRORBUFFER = 10010,
    CURLOPT_WRITEFUNCTION = 20011,
    CURLOPT_POSTFIELDS = 10015,
    CURLOPT_HTTPHEADER = 10023,
    CURLOPT_HEADERDATA = 10029,
    CURLOPT_CUSTOMREQUEST = 10036,
    CURLOPT_NOBODY = 44,
    CURLOPT_CAINFO = 10065,
    CURLOPT_HEADERFUNCTION = 20079,
    CURLOPT_NOSIGNAL = 99,
    CURLOPT_POSTFIELDSIZE_LARGE = 30120,
    CURLOPT_TIMEOUT_MS = 155,
    CURLOPT_PROTOCOLS = 181,
    CURLINFO_RESPONSE_CODE = 0x200000 + 2,
};
enum { CURLPROTO_HTTPS = 1 << 1 };
enum { CURL_GLOBAL_ALL = 3 };
enum {
    CURLE_OK = 0,
    CURLE_SSL_CONNECT_ERROR = 35,
    CURLE_OPERATION_TIMEDOUT = 28,
    CURLE_PEER_FAILED_VERIFICATION = 60,
    CURLE_SSL_CERTPROBLEM = 58,
    CURLE_SSL_CACERT_BADFILE = 77,
    CURLE_SSL_ISSUER_ERROR = 83,
};

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, int, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, int, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int loaded;

static void load(void) {
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(load_error, sizeof load_error, "cannot load libcurl.so.4 (%s)", dlerror());
        return;
    }
#define SYM(field, name)                                                                        \
    *(void **)(&curl.field) = dlsym(h, name);                                                   \
    if (!curl.field) {                                                                          \
        snprintf(load_error, sizeof load_error, "libcurl.so.4 lacks %s", name);               \
        return;                                                                                 \
    }
    SYM(global_init, "curl_global_init")
    SYM(easy_init, "curl_easy_init")
    SYM(easy_setopt, "curl_easy_setopt")
    SYM(easy_perform, "curl_easy_perform")
    SYM(easy_getinfo, "curl_easy_getinfo")
    SYM(easy_cleanup, "curl_easy_cleanup")
    SYM(easy_strerror, "curl_easy_strerror")
    SYM(slist_append, "curl_slist_append")
    SYM(slist_free_all, "curl_slist_free_all")
#undef SYM
    if (curl.global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "libcurl.so.4 failed to initialise");
        return;
    }
    loaded = 1;
}

int upstream_tls_load(char *error, size_t error_size) {
    pthread_once(&load_once, load);
    if (loaded) return 0;
    if (error && error_size) snprintf(error, error_size, "%s", load_error);
    return -1;
}

typedef struct {
    unsigned char *bytes;
    size_t length;
    size_t capacity;
    int failed;
} buffer;

// Bodies beyond this are refused rather than grown without bound.
#define MAX_BODY ((size_t)64 << 20)

static int append(buffer *b, const void *data, size_t n) {
    if (b->failed) return -1;
    if (n > MAX_BODY - b->length) {
        b->failed = 1;
        return -1;
    }
    if (b->length + n + 1 > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->length + n + 1) capacity *= 2;
        unsigned char *grown = realloc(b->bytes, capacity);
        if (!grown) {
            b->failed = 1;
            return -1;
        }
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, data, n);
    b->length += n;
    b->bytes[b->length] = 0;
    return 0;
}

static size_t on_body(char *data, size_t size, size_t count, void *context) {
    size_t n = size * count;
    return append(context, data, n) == 0 ? n : 0;
}

// A new status line starts a new header block (after a 100 Continue, say): only the last is kept.
static size_t on_header(char *data, size_t size, size_t count, void *context) {
    buffer *b = context;
    size_t n = size * count;
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) b->length = 0;
    return append(b, data, n) == 0 ? n : 0;
}

int upstream_tls_exchange(
    const char *method, const char *url, const char *const *headers, size_t header_count,
    const unsigned char *body, size_t body_length, int send_body, const char *ca_path, long timeout_ms,
    upstream_tls_result *result) {
    memset(result, 0, sizeof *result);
    if (upstream_tls_load(result->error, sizeof result->error) != 0) {
        result->curl_code = -1;
        return -1;
    }
    CURL *easy = curl.easy_init();
    if (!easy) {
        result->curl_code = -1;
        snprintf(result->error, sizeof result->error, "curl_easy_init failed");
        return -1;
    }
    char error_buffer[256] = {0};
    buffer head = {0}, payload = {0};
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) list = curl.slist_append(list, headers[i]);
    // Not curl's own additions: no `Expect: 100-continue`, and no form content type
    // invented for a body the client sent without one.
    list = curl.slist_append(list, "Expect:");

    curl.easy_setopt(easy, CURLOPT_URL, url);
    curl.easy_setopt(easy, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
    curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl.easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
    curl.easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(easy, CURLOPT_WRITEDATA, &payload);
    curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl.easy_setopt(easy, CURLOPT_HEADERDATA, &head);
    if (ca_path) curl.easy_setopt(easy, CURLOPT_CAINFO, ca_path);
    if (strcmp(method, "HEAD") == 0) {
        curl.easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
        if (send_body) {
            curl.easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (long long)body_length);
            curl.easy_setopt(easy, CURLOPT_POSTFIELDS, body_length ? (const char *)body : "");
        }
        curl.easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode code = curl.easy_perform(easy);
    int rc = 0;
    if (code == CURLE_OK) {
        curl.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &result->status);
        result->headers = (char *)head.bytes;
        result->headers_length = head.length;
        result->body = payload.bytes;
        result->body_length = payload.length;
        head.bytes = NULL;
        payload.bytes = NULL;
    } else {
        rc = -1;
        result->curl_code = code;
        result->timed_out = code == CURLE_OPERATION_TIMEDOUT;
        result->tls_failed = code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
                                      code == CURLE_SSL_ISSUER_ERROR || code == CURLE_SSL_CONNECT_ERROR ||
                                      code == CURLE_SSL_CERTPROBLEM;
        snprintf(result->error, sizeof result->error, "%s%s%s", curl.easy_strerror(code),
                 error_buffer[0] ? ": " : "", error_buffer);
        if (head.failed || payload.failed)
            snprintf(result->error, sizeof result->error, "the answer exceeds %zu bytes", MAX_BODY);
    }
    free(head.bytes);
    free(payload.bytes);
    curl.slist_free_all(list);
    curl.easy_cleanup(easy);
    return rc;
}

void upstream_tls_result_free(upstream_tls_result *result) {
    free(result->headers);
    free(result->body);
    result->headers = NULL;
    result->body = NULL;
}
