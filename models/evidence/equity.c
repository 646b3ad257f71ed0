/*
 * equity.c — the list's shares per area (see equity.h).
 */
#include "equity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void model_equity_free(model_equity *e)
{
    double *arrays[] = {e->homes, e->risk, e->targets, e->fires, e->visits, e->risk_share, e->targets_share,
                        e->fires_share, e->targets_to_risk};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        free(arrays[k]);
    free(e->flag);
    memset(e, 0, sizeof *e);
}

const char *model_equity_flag_name(int flag)
{
    return flag == MODEL_EQUITY_OVER ? "over" : flag == MODEL_EQUITY_UNDER ? "under" : "";
}

static void shares(const double *v, size_t m, double *share)
{
    double total = 0;
    for (size_t a = 0; a < m; a++)
        total += v[a];
    for (size_t a = 0; a < m; a++)
        share[a] = total > 0 ? v[a] / total : NAN;
}

fr_status model_equity_compute(const int32_t *area_of, size_t n, size_t nareas, const double *score,
                               const int32_t *on_list, const double *fires, const double *visits, double ratio,
                               model_equity *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    size_t m = nareas + 1;
    out->nareas = nareas;
    double **arrays[] = {&out->homes, &out->risk, &out->targets, &out->fires, &out->visits, &out->risk_share,
                         &out->targets_share, &out->fires_share, &out->targets_to_risk};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        if (!(*arrays[k] = calloc(m, sizeof **arrays[k])))
            break;
    out->flag = calloc(m, sizeof *out->flag);
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        if (!*arrays[k] || !out->flag) {
            model_equity_free(out);
            return fr_error_oom_while(err, "computing the equity table");
        }
    for (size_t i = 0; i < n; i++) {
        int32_t g = area_of[i];
        size_t a = g >= 0 && (size_t)g < nareas ? (size_t)g : nareas;
        out->homes[a] += 1;
        if (score[i] > 0)
            out->risk[a] += score[i];
        out->targets[a] += on_list[i] != 0;
        if (fires && !isnan(fires[i]))
            out->fires[a] += fires[i];
        if (visits && !isnan(visits[i]))
            out->visits[a] += visits[i];
    }
    shares(out->risk, m, out->risk_share);
    shares(out->targets, m, out->targets_share);
    shares(out->fires, m, out->fires_share);
    for (size_t a = 0; a < m; a++) {
        if (!fires)
            out->fires[a] = out->fires_share[a] = NAN;
        if (!visits)
            out->visits[a] = NAN;
        double rs = out->risk_share[a], ts = isnan(out->targets_share[a]) ? 0 : out->targets_share[a];
        out->targets_to_risk[a] = rs > 0 ? ts / rs : NAN;
        if (rs > 0)
            out->flag[a] = ts / rs > ratio ? MODEL_EQUITY_OVER : ts / rs < 1.0 / ratio ? MODEL_EQUITY_UNDER
                                                                                        : MODEL_EQUITY_FAIR;
        else
            out->flag[a] = ts > 0 ? MODEL_EQUITY_OVER : MODEL_EQUITY_FAIR;
    }
    return FR_OK;
}
