/* codearts.c: CodeArts Build keystore download, GET /v3/keystore, serving
 * files that tests place in DIR/keystores/. Errors are flat. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>

static void cb_error(struct emu_resp *resp, int status, const char *code,
                     const char *msg)
{
    resp_err(resp, SVC_CODEARTS, status, code, msg);
}

static int valid_file_name(const char *f)
{
    return f != NULL && strcmp(f, ".") != 0 && strcmp(f, "..") != 0 &&
           emu_match_re(f, "^[A-Za-z0-9._-]{1,255}$");
}

static int check_args(struct emu_req *req, struct emu_resp *resp)
{
    const char *dom = req_arg(req, "domain_id");
    const char *file = req_arg(req, "file_name");
    if (dom == NULL || !emu_match_re(dom, "^[0-9a-z]{32}$")) {
        cb_error(resp, 400, "DEV.CB.0400001",
                 "Invalid parameter: domain_id must be 32 lowercase letters "
                 "or digits.");
        return -1;
    }
    if (!valid_file_name(file)) {
        cb_error(resp, 400, "DEV.CB.0400002", "Invalid parameter: file_name.");
        return -1;
    }
    if (strcmp(dom, g_emu.domain_id) != 0 || req->project_id[0] == '\0') {
        cb_error(resp, 403, "DEV.CB.0403001",
                 "No permission for this tenant, or the token is not "
                 "project-scoped.");
        return -1;
    }
    return 0;
}

void codearts_handle(struct emu_req *req, struct emu_resp *resp)
{
    if (strcmp(req->path, "/v3/keystore") != 0) {
        cb_error(resp, 404, "APIG.0101",
                 "The API does not exist or has not been published in the "
                 "environment");
        return;
    }
    if (!req_method_is(req, "GET")) {
        cb_error(resp, 405, "DEV.CB.0405001", "The method is not allowed.");
        return;
    }
    if (auth_check(req, resp, SVC_CODEARTS) != 0 || check_args(req, resp))
        return;
    const char *file = req_arg(req, "file_name");
    char *path = emu_printf("%s/keystores/%s", g_emu.state_dir, file);
    size_t len = 0;
    unsigned char *data = emu_read_file(path, &len);
    free(path);
    if (data == NULL) {
        cb_error(resp, 404, "DEV.CB.0404001",
                 "The keystore file does not "
                 "exist.");
        return;
    }
    resp_body(resp, 200, "application/octet-stream", (char *)data, len);
    char *cd = emu_printf("attachment; filename=%s", file);
    resp_header(resp, "Content-Disposition", cd);
    free(cd);
}
