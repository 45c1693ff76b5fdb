/* server.c: the two libmicrohttpd listeners (HTTPS for every service and
 * the admin API, plain HTTP for the metadata service), request body
 * collection, fault application, routing and response sending. */
#include "emu.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>

static int https_tag, http_tag;
static struct MHD_Daemon *https_d, *http_d;

enum emu_svc route_service(const char *path)
{
    if (strncmp(path, "/v3/auth/", 9) == 0 ||
        strncmp(path, "/v3.0/OS-CREDENTIAL/", 20) == 0 ||
        strncmp(path, "/v3/projects", 12) == 0)
        return SVC_IAM;
    if (strncmp(path, "/v1.0/", 6) == 0)
        return SVC_KMS;
    if (strncmp(path, "/v3/scm/", 8) == 0)
        return SVC_SCM;
    if (strncmp(path, "/v2/", 4) == 0)
        return SVC_DCS;
    if (strncmp(path, "/obs/", 5) == 0)
        return SVC_OBS;
    if (strcmp(path, "/v3/keystore") == 0 ||
        strncmp(path, "/v3/keystore/", 13) == 0)
        return SVC_CODEARTS;
    return SVC_NONE;
}

static void dispatch(struct emu_req *req, struct emu_resp *resp,
                     enum emu_svc svc)
{
    if (req->body_too_big) {
        resp_err(resp, svc, 413, "APIG.0201", "Request entity too large.");
        return;
    }
    if (strict_reject(req, resp, svc))
        return;
    if (g_emu.otc && (svc == SVC_SCM || svc == SVC_CODEARTS))
        svc = SVC_NONE; /* Open Telekom Cloud has neither */
    switch (svc) {
    case SVC_IAM:
        iam_handle(req, resp);
        break;
    case SVC_KMS:
        kms_handle(req, resp);
        break;
    case SVC_SCM:
        scm_handle(req, resp);
        break;
    case SVC_DCS:
        dcs_handle(req, resp);
        break;
    case SVC_OBS:
        obs_handle(req, resp);
        break;
    case SVC_CODEARTS:
        codearts_handle(req, resp);
        break;
    case SVC_META:
        metadata_handle(req, resp);
        break;
    default:
        resp_err(resp, SVC_NONE, 404, "APIG.0101",
                 "The API does not exist or has not been published in the "
                 "environment");
        break;
    }
}

/* --- streamed bodies for the truncate and oversize faults --- */

struct stream {
    char *body;
    size_t len;
    size_t stop;
};

static ssize_t truncated_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    if (pos >= s->stop)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = s->stop - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, s->body + pos, n);
    return (ssize_t)n;
}

static ssize_t oversize_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    static const char head[] = "{\"key_id\":\"";
    (void)cls;
    memset(buf, 'A', max);
    for (size_t i = 0; pos + i < sizeof(head) - 1 && i < max; i++)
        buf[i] = head[pos + i];
    return (ssize_t)max;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    if (s != NULL)
        free(s->body);
    free(s);
}

static struct MHD_Response *make_response(struct emu_resp *r)
{
    if (r->oversize > 0)
        return MHD_create_response_from_callback(r->oversize, 65536,
                                                 oversize_cb, NULL, NULL);
    if (r->truncate) {
        struct stream *s = calloc(1, sizeof(*s));
        s->body = r->body;
        s->len = r->len;
        s->stop = r->len / 2;
        r->body = NULL;
        return MHD_create_response_from_callback(s->len, 4096, truncated_cb, s,
                                                 stream_free);
    }
    if (r->body == NULL)
        return MHD_create_response_from_buffer(0, (char *)"",
                                               MHD_RESPMEM_PERSISTENT);
    struct MHD_Response *m =
        MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    r->body = NULL;
    return m;
}

static enum MHD_Result send_resp(struct emu_req *req, struct emu_resp *r)
{
    int status = r->status != 0 ? r->status : 500;
    struct MHD_Response *m = make_response(r);
    char rid[37];
    emu_uuid(rid);
    MHD_add_response_header(m, "X-Request-Id", rid);
    if (r->ctype != NULL)
        MHD_add_response_header(m, "Content-Type", r->ctype);
    for (int i = 0; i < r->nhdr; i++)
        MHD_add_response_header(m, r->hk[i], r->hv[i]);
    enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)status, m);
    MHD_destroy_response(m);
    resp_free(r);
    return ret;
}

static void hard_reset(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci == NULL)
        return;
    struct linger l = {1, 0};
    setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind,
                                 const char *key, const char *value)
{
    (void)kind;
    char **q = cls;
    char *n = emu_printf("%s%s%s%s%s", *q, **q ? "&" : "", key,
                         value != NULL ? "=" : "", value != NULL ? value : "");
    free(*q);
    *q = n;
    return MHD_YES;
}

/* Applies a queued fault (if any); returns 1 when it has the answer. */
/* A queued fault's action before the service answers; returns 1 when it
 * has the answer. *post says whether the fault changes the answer after
 * (f is then kept for fault_apply_post; else freed). */
static int take_fault(struct emu_req *req, struct emu_resp *resp,
                      enum emu_svc svc, int *truncate, struct emu_fault *f,
                      int *post)
{
    *post = 0;
    if (!fault_take(req->method, req->path, f))
        return 0;
    if (fault_is_post(f)) {
        *post = 1;
        return 0;
    }
    if (f->delay_ms > 0)
        nanosleep(&(struct timespec){f->delay_ms / 1000,
                                     (f->delay_ms % 1000) * 1000000L},
                  NULL);
    if (strcmp(f->action, "expire_token") == 0 &&
        req_header(req, "X-Auth-Token") != NULL)
        token_expire(req_header(req, "X-Auth-Token"));
    *truncate = strcmp(f->action, "truncate") == 0;
    fault_apply_pre(f, resp, svc);
    fault_free(f);
    return resp->status != 0 || resp->reset;
}

static void mark_service_connection(struct MHD_Connection *c);

static enum MHD_Result answer(struct emu_req *req);

static enum MHD_Result handle(struct emu_req *req)
{
    if (!__atomic_load_n(&g_emu.ready, __ATOMIC_ACQUIRE)) {
        struct emu_resp resp = {0};
        resp_body(&resp, 503, "text/plain", emu_strdup("starting\n"), 9);
        return send_resp(req, &resp);
    }
    req->query = emu_strdup("");
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, add_query,
                              &req->query);
    req->auth_kind = auth_classify(req);
    if (req->https && strncmp(req->path, "/_emu/", 6) == 0) {
        struct emu_resp resp = {0};
        admin_handle(req, &resp);
        return send_resp(req, &resp);
    }
    stats_request_begin();
    enum MHD_Result r = answer(req);
    stats_request_end();
    return r;
}

/* A service request: faults (a delay sleeps in this connection's own
 * thread, so delayed requests overlap), the service, the answer. */
static enum MHD_Result answer(struct emu_req *req)
{
    struct emu_resp resp = {0};
    enum emu_svc svc = req->https ? route_service(req->path) : SVC_META;
    if (req->https)
        mark_service_connection(req->conn);
    req->flags = strict_flags(req, svc);
    int truncate = 0;
    struct emu_fault f;
    int post = 0;
    if (!take_fault(req, &resp, svc, &truncate, &f, &post))
        dispatch(req, &resp, svc);
    if (post) {
        fault_apply_post(&f, &resp);
        fault_free(&f);
    }
    resp.truncate = truncate;
    stats_record(req, resp.reset ? 0 : resp.status);
    if (resp.reset) {
        hard_reset(req->conn);
        resp_free(&resp);
        return MHD_NO;
    }
    return send_resp(req, &resp);
}

static void body_append(struct emu_req *req, const char *data, size_t n)
{
    if (req->body_len + n > EMU_MAX_BODY) {
        req->body_too_big = 1;
        return;
    }
    if (req->body_len + n + 1 > req->body_cap) {
        req->body_cap = (req->body_len + n + 1) * 2;
        req->body = realloc(req->body, req->body_cap);
        if (req->body == NULL)
            abort();
    }
    memcpy(req->body + req->body_len, data, n);
    req->body_len += n;
    req->body[req->body_len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct emu_req *req = *con_cls;
    if (req == NULL) {
        req = calloc(1, sizeof(*req));
        if (req == NULL)
            return MHD_NO;
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        body_append(req, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    req->conn = c;
    req->method = method;
    req->path = url;
    req->https = cls == &https_tag;
    return handle(req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct emu_req *req = *con_cls;
    if (req == NULL)
        return;
    free(req->body);
    free(req->query);
    json_decref(req->flags);
    free(req);
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)c;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = calloc(1, sizeof(int));
        if (cls == &https_tag)
            stats_connection();
    } else {
        free(*socket_context);
        *socket_context = NULL;
    }
}

/* counts the first service request of each HTTPS connection */
static void mark_service_connection(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    int *seen = ci != NULL ? ci->socket_context : NULL;
    if (seen != NULL && !*seen) {
        *seen = 1;
        stats_service_connection();
    }
}

/* On *port when it is not 0 and free (a restart keeps its ports), else
 * on one the system picks. */
static struct MHD_Daemon *start(int tls, const char *cert, const char *key,
                                unsigned *port)
{
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)*port);
    void *tag = tls ? &https_tag : &http_tag;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG |
                     MHD_USE_AUTO | (tls ? MHD_USE_TLS : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, tag, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, tag,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
        tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, key,
        MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_END);
    if (d == NULL && *port != 0) {
        *port = 0;
        return start(tls, cert, key, port);
    }
    if (d == NULL)
        return NULL;
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *port = di != NULL ? di->port : 0;
    return d;
}

int server_start(const char *cert_pem, const char *key_pem)
{
    persist_ports(&g_emu.port, &g_emu.http_port);
    https_d = start(1, cert_pem, key_pem, &g_emu.port);
    http_d = start(0, NULL, NULL, &g_emu.http_port);
    if (https_d == NULL || http_d == NULL || g_emu.port == 0 ||
        g_emu.http_port == 0)
        return -1;
    return 0;
}

void server_stop(void)
{
    if (https_d != NULL)
        MHD_stop_daemon(https_d);
    if (http_d != NULL)
        MHD_stop_daemon(http_d);
}
