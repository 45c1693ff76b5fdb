/* admin.c: the unauthenticated test-control API under /_emu/ (stats,
 * reset, fault injection, token expiry, SCM certificate renewal). */
#include "emu.h"

#include <string.h>

static void ok(struct emu_resp *resp)
{
    resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
}

static void add_fault(struct emu_req *req, struct emu_resp *resp)
{
    char err[256];
    json_t *spec = req_json(req);
    if (spec == NULL || fault_add(spec, err, sizeof(err)) != 0) {
        resp_err(resp, SVC_NONE, 400, "EMU.0400",
                 spec == NULL ? "body must be a JSON object" : err);
        json_decref(spec);
        return;
    }
    json_decref(spec);
    ok(resp);
}

void admin_handle(struct emu_req *req, struct emu_resp *resp)
{
    const char *p = req->path + 5;
    int get = req_method_is(req, "GET"), post = req_method_is(req, "POST");
    if (strcmp(p, "/stats") == 0 && get) {
        resp_json(resp, 200, stats_json());
    } else if (strcmp(p, "/reset") == 0 && post) {
        stats_reset();
        faults_reset();
        ok(resp);
    } else if (strcmp(p, "/fault") == 0 && post) {
        add_fault(req, resp);
    } else if (strcmp(p, "/clear-flags") == 0 && post) {
        stats_clear_flags();
        ok(resp);
    } else if (strcmp(p, "/expire-tokens") == 0 && post) {
        tokens_expire_all();
        ok(resp);
    } else if (strcmp(p, "/revive-tokens") == 0 && post) {
        tokens_revive_all();
        ok(resp);
    } else if (strcmp(p, "/scm/renew") == 0 && post) {
        scm_admin_renew(req, resp);
    } else {
        resp_err(resp, SVC_NONE, 404, "EMU.0404",
                 "admin routes: GET /_emu/stats, POST /_emu/reset, "
                 "/_emu/fault, /_emu/clear-flags, /_emu/expire-tokens, "
                 "/_emu/revive-tokens, /_emu/scm/renew");
    }
}
