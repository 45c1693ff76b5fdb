/* stats.c: request counters and the request log behind GET /_emu/stats. */
#include "emu.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#define LOG_MAX 1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *requests;
static long total, connections, service_connections, http_requests;
/* Service requests being answered now (a delay fault included), and the
 * most at once since the last reset: what shows that requests overlap. */
static long in_flight, in_flight_peak;
static long auth_count[3];
static json_t *log_ring[LOG_MAX];
static size_t log_next, log_len;
/* Flagged requests survive /_emu/reset: a test that resets its counters
 * must still fail on what it sent before. */
#define FLAGGED_MAX 100
static long flagged_count;
static json_t *flagged;

void stats_connection(void)
{
    pthread_mutex_lock(&lock);
    connections++;
    pthread_mutex_unlock(&lock);
}

static int is_secret(const char *name)
{
    return strcasecmp(name, "x-auth-token") == 0 ||
           strcasecmp(name, "authorization") == 0 ||
           strcasecmp(name, "x-security-token") == 0 ||
           strcasecmp(name, "x-subject-token") == 0;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    (void)kind;
    json_t *h = cls;
    char name[128];
    size_t i;
    for (i = 0; key[i] != '\0' && i + 1 < sizeof(name); i++)
        name[i] = (char)tolower((unsigned char)key[i]);
    name[i] = '\0';
    if (value == NULL)
        value = "";
    char *v = is_secret(name) ? emu_printf("<redacted:%zu>", strlen(value))
                              : emu_strdup(value);
    json_t *s = json_string(v);
    if (s == NULL)
        s = json_string("<binary>");
    json_object_set_new(h, name, s);
    free(v);
    return MHD_YES;
}

static const char *auth_name(enum emu_auth a)
{
    return a == AUTH_TOKEN ? "token" : a == AUTH_AKSK ? "aksk" : "none";
}

static json_t *log_entry(const struct emu_req *req, int status)
{
    json_t *h = json_object();
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, add_header, h);
    json_t *e = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:o}", "method",
                          req->method, "path", req->path, "query",
                          req->query != NULL ? req->query : "", "status",
                          status, "auth", auth_name(req->auth_kind), "listener",
                          req->https ? "https" : "http", "headers", h);
    if (e == NULL) /* non UTF-8 path or query */
        e = json_pack("{s:s,s:s,s:i}", "method", "?", "path", "<binary>",
                      "status", status);
    if (req->flags != NULL && json_array_size(req->flags) > 0)
        json_object_set(e, "flags", req->flags);
    return e;
}

static void count_request(const struct emu_req *req)
{
    char *key = emu_printf("%s %s", req->method, req->path);
    json_t *cur = json_object_get(requests, key);
    json_int_t n = cur != NULL ? json_integer_value(cur) : 0;
    json_t *v = json_integer(n + 1);
    if (json_object_set_new(requests, key, v) != 0)
        json_object_set_new(requests, "<binary>", json_integer(1));
    free(key);
}

void stats_request_begin(void)
{
    pthread_mutex_lock(&lock);
    if (++in_flight > in_flight_peak)
        in_flight_peak = in_flight;
    pthread_mutex_unlock(&lock);
}

void stats_request_end(void)
{
    pthread_mutex_lock(&lock);
    in_flight--;
    pthread_mutex_unlock(&lock);
}

void stats_service_connection(void)
{
    pthread_mutex_lock(&lock);
    service_connections++;
    pthread_mutex_unlock(&lock);
}

void stats_record(const struct emu_req *req, int status)
{
    json_t *e = log_entry(req, status);
    pthread_mutex_lock(&lock);
    if (requests == NULL)
        requests = json_object();
    count_request(req);
    total++;
    if (!req->https)
        http_requests++;
    auth_count[req->auth_kind]++;
    if (json_object_get(e, "flags") != NULL) {
        flagged_count++;
        if (flagged == NULL)
            flagged = json_array();
        if (json_array_size(flagged) < FLAGGED_MAX)
            json_array_append(flagged, e);
    }
    json_decref(log_ring[log_next]);
    log_ring[log_next] = e;
    log_next = (log_next + 1) % LOG_MAX;
    if (log_len < LOG_MAX)
        log_len++;
    pthread_mutex_unlock(&lock);
}

json_t *stats_json(void)
{
    json_t *logarr = json_array();
    pthread_mutex_lock(&lock);
    if (requests == NULL)
        requests = json_object();
    if (flagged == NULL)
        flagged = json_array();
    size_t start = (log_next + LOG_MAX - log_len) % LOG_MAX;
    for (size_t i = 0; i < log_len; i++)
        json_array_append(logarr, log_ring[(start + i) % LOG_MAX]);
    json_t *o = json_pack(
        "{s:O,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I,s:I},s:o,s:{s:I,"
        "s:O}}",
        "requests", requests, "total", (json_int_t)total, "in_flight",
        (json_int_t)in_flight, "in_flight_peak", (json_int_t)in_flight_peak,
        "connections", (json_int_t)connections, "service_connections",
        (json_int_t)service_connections, "http_requests",
        (json_int_t)http_requests, "auth", "token",
        (json_int_t)auth_count[AUTH_TOKEN], "aksk",
        (json_int_t)auth_count[AUTH_AKSK], "none",
        (json_int_t)auth_count[AUTH_NONE], "log", logarr, "flags", "count",
        (json_int_t)flagged_count, "requests", flagged);
    pthread_mutex_unlock(&lock);
    return o;
}

void stats_reset(void)
{
    pthread_mutex_lock(&lock);
    json_decref(requests);
    requests = json_object();
    total = connections = service_connections = http_requests = 0;
    in_flight_peak = in_flight;
    memset(auth_count, 0, sizeof(auth_count));
    for (size_t i = 0; i < LOG_MAX; i++) {
        json_decref(log_ring[i]);
        log_ring[i] = NULL;
    }
    log_next = log_len = 0;
    pthread_mutex_unlock(&lock);
}

void stats_clear_flags(void)
{
    pthread_mutex_lock(&lock);
    json_decref(flagged);
    flagged = NULL;
    flagged_count = 0;
    pthread_mutex_unlock(&lock);
}
