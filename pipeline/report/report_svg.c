/*
 * report_svg.c — the report's drawings as inline SVG (see report.h): the
 * static map of the target list and bar charts (lift, time per stage).
 *
 * Drawn by the program from coordinates it already holds instead of a
 * rendered tile or image: the report must open without a network and stay
 * one small text file.  The map is in the working CRS (metres, projected),
 * so its aspect ratio and the scale bar are true.  Coordinates are printed
 * with one decimal of a pixel, which keeps the file small and the output
 * deterministic.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

#define MAP_W 760.0
#define MAP_MAX_H 620.0
#define MAP_PAD 12.0
#define MAX_BACKGROUND_DOTS 6000  /* all parcels as dots beyond this would only blur and bloat the file */
#define MAX_TARGET_DOTS 2000
#define LABELLED_TARGETS 10

static const char *const tier_fill[3] = {"#d7191c", "#fdae61", "#e8e3a0"};

typedef struct {
    double minx, miny, maxx, maxy, scale, w, h;
} frame;

static int finite_xy(double x, double y)
{
    return isfinite(x) && isfinite(y);
}

static int make_frame(const fr_report_map *m, frame *f)
{
    f->minx = f->miny = INFINITY;
    f->maxx = f->maxy = -INFINITY;
    for (size_t i = 0; i < m->n; i++) {
        if (!finite_xy(m->x[i], m->y[i]))
            continue;
        if (m->x[i] < f->minx) f->minx = m->x[i];
        if (m->x[i] > f->maxx) f->maxx = m->x[i];
        if (m->y[i] < f->miny) f->miny = m->y[i];
        if (m->y[i] > f->maxy) f->maxy = m->y[i];
    }
    if (!(f->minx <= f->maxx))
        return 0;
    double w = f->maxx - f->minx, h = f->maxy - f->miny;
    if (w < 1) w = 1;
    if (h < 1) h = 1;
    double sx = (MAP_W - 2 * MAP_PAD) / w, sy = (MAP_MAX_H - 2 * MAP_PAD) / h;
    f->scale = sx < sy ? sx : sy;
    f->w = w * f->scale + 2 * MAP_PAD;
    if (f->w < 240)
        f->w = 240; /* room for the scale bar and the north arrow */
    f->h = h * f->scale + 2 * MAP_PAD + 34; /* room for the scale bar */
    return 1;
}

static double px(const frame *f, double x)
{
    return MAP_PAD + (x - f->minx) * f->scale;
}

static double py(const frame *f, double y)
{
    return MAP_PAD + (f->maxy - y) * f->scale;
}

/* A round length (1, 2 or 5 x 10^k metres) close to a fifth of the map. */
static double scale_length(double metres)
{
    double target = metres / 5, p = pow(10, floor(log10(target)));
    double best = p;
    if (2 * p <= target) best = 2 * p;
    if (5 * p <= target) best = 5 * p;
    return best;
}

void fr_report_svg_map(const fr_report_map *m, fr_strbuf *b)
{
    frame f;
    if (!m->n || !make_frame(m, &f)) {
        fr_sb_puts(b, "<p class=\"note\">No parcel has coordinates to draw.</p>\n");
        return;
    }
    fr_sb_printf(b, "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
                    "style=\"max-width:%.0fpx\" role=\"img\" aria-label=\"map of the target list\">\n",
                 ceil(f.w), ceil(f.h), ceil(f.w));
    fr_sb_printf(b, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#f7f7f4\"/>\n", ceil(f.w), ceil(f.h));

    /* Every parcel (or every k-th: a deterministic sample) as a small dot. */
    size_t stride = m->n > MAX_BACKGROUND_DOTS ? (m->n + MAX_BACKGROUND_DOTS - 1) / MAX_BACKGROUND_DOTS : 1;
    fr_sb_puts(b, "<g fill=\"#b8b8b8\">\n");
    for (size_t i = 0; i < m->n; i += stride)
        if (finite_xy(m->x[i], m->y[i]))
            fr_sb_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1\"/>", px(&f, m->x[i]), py(&f, m->y[i]));
    fr_sb_puts(b, "\n</g>\n");

    /* Targets, drawn from the last to the first so that rank 1 lies on top. */
    size_t nt = m->ntargets < MAX_TARGET_DOTS ? m->ntargets : MAX_TARGET_DOTS;
    fr_sb_puts(b, "<g stroke=\"#333\" stroke-width=\"0.6\">\n");
    for (size_t k = nt; k-- > 0;) {
        size_t i = m->targets[k];
        if (!finite_xy(m->x[i], m->y[i]))
            continue;
        int t = m->tier && m->tier[i] < 3 ? m->tier[i] : 2;
        fr_sb_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>#%ld ",
                     px(&f, m->x[i]), py(&f, m->y[i]), k < LABELLED_TARGETS ? "5" : "3.5", tier_fill[t],
                     (long)(m->rank ? m->rank[i] : (int32_t)(k + 1)));
        fr_sb_xml(b, m->id ? m->id[i] : "");
        if (m->address && m->address[i]) {
            fr_sb_puts(b, " ");
            fr_sb_xml(b, m->address[i]);
        }
        fr_sb_puts(b, "</title></circle>\n");
    }
    fr_sb_puts(b, "</g>\n");
    /* Rank numbers next to the first targets. */
    fr_sb_puts(b, "<g font-family=\"sans-serif\" font-size=\"11\" font-weight=\"bold\" fill=\"#111\" "
                  "stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">\n");
    for (size_t k = 0; k < nt && k < LABELLED_TARGETS; k++) {
        size_t i = m->targets[k];
        if (finite_xy(m->x[i], m->y[i]))
            fr_sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%ld</text>\n", px(&f, m->x[i]) + 6, py(&f, m->y[i]) - 6,
                         (long)(m->rank ? m->rank[i] : (int32_t)(k + 1)));
    }
    fr_sb_puts(b, "</g>\n");
    /* Stations. */
    if (m->nstations && m->sx && m->sy) {
        fr_sb_puts(b, "<g fill=\"#1f4e9c\" stroke=\"#fff\" stroke-width=\"1\">\n");
        for (size_t s = 0; s < m->nstations; s++) {
            if (!finite_xy(m->sx[s], m->sy[s]))
                continue;
            double cx = px(&f, m->sx[s]), cy = py(&f, m->sy[s]);
            if (cx < 0 || cx > f.w || cy < 0 || cy > f.h)
                continue;
            fr_sb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\"><title>station ", cx - 4, cy - 4);
            fr_sb_xml(b, m->station_name && m->station_name[s] ? m->station_name[s] : "");
            fr_sb_puts(b, "</title></rect>\n");
        }
        fr_sb_puts(b, "</g>\n");
    }
    /* Scale bar and north arrow (the working CRS is projected, north up). */
    double len = scale_length(f.maxx - f.minx > 1 ? f.maxx - f.minx : 1), bar = len * f.scale;
    double y0 = f.h - 16;
    fr_sb_printf(b, "<g font-family=\"sans-serif\" font-size=\"11\" fill=\"#222\">"
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"4\" fill=\"#222\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\">%g %s</text>"
                    "<text x=\"%.1f\" y=\"24\" font-weight=\"bold\">N &#8593;</text></g>\n",
                 MAP_PAD, y0, bar, MAP_PAD + bar + 6, y0 + 5, len >= 1000 ? len / 1000 : len,
                 len >= 1000 ? "km" : "m", f.w - 40);
    fr_sb_puts(b, "</svg>\n");
}

void fr_report_svg_bars(fr_strbuf *b, const double *values, size_t n, double reference, int percent,
                        const char *x_title, const char *y_title)
{
    const double W = 520, H = 240, L = 56, R = 12, T = 14, B = 42;
    double top = isfinite(reference) ? reference : 0;
    for (size_t k = 0; k < n; k++)
        if (isfinite(values[k]) && values[k] > top)
            top = values[k];
    if (top <= 0)
        top = 1;
    /* Four ticks of a round step (1, 2, 2.5 or 5 x 10^k) above the largest bar. */
    double raw = top * 1.05 / 4, p10 = pow(10, floor(log10(raw))), step = 10 * p10;
    static const double nice[] = {1, 2, 2.5, 5, 10};
    for (int k = 4; k >= 0; k--)
        if (nice[k] * p10 >= raw)
            step = nice[k] * p10;
    top = 4 * step;
    double bw = n ? (W - L - R) / (double)n : 0;
    fr_sb_printf(b, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
                 W, H);
    fr_sb_printf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444\"/>\n", L, H - B, W - R, H - B);
    fr_sb_printf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444\"/>\n", L, T, L, H - B);
    fr_sb_puts(b, "<g font-family=\"sans-serif\" font-size=\"10\" fill=\"#222\">\n");
    for (int t = 0; t <= 4; t++) {
        double v = top * t / 4, y = H - B - (H - B - T) * t / 4;
        fr_sb_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", L - 4, y + 3);
        if (percent)
            fr_sb_printf(b, "%.4g%%", v * 100);
        else
            fr_sb_printf(b, "%.3g", v);
        fr_sb_puts(b, "</text>\n");
    }
    for (size_t k = 0; k < n; k++) {
        double v = isfinite(values[k]) && values[k] > 0 ? values[k] : 0;
        double h = (H - B - T) * v / top, x = L + bw * (double)k;
        fr_sb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c0392b\"><title>%zu: ",
                     x + bw * 0.1, H - B - h, bw * 0.8, h, k + 1);
        if (percent)
            fr_sb_printf(b, "%.1f%%", v * 100);
        else
            fr_sb_printf(b, "%.3g", v);
        fr_sb_printf(b, "</title></rect>\n<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%zu</text>\n",
                     x + bw / 2, H - B + 13, k + 1);
    }
    if (isfinite(reference) && reference > 0) {
        double y = H - B - (H - B - T) * reference / top;
        fr_sb_printf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#222\" stroke-dasharray=\"4 3\"/>\n",
                     L, y, W - R, y);
    }
    fr_sb_printf(b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">", (L + W - R) / 2, H - 6);
    fr_sb_xml(b, x_title);
    fr_sb_printf(b, "</text>\n<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" text-anchor=\"middle\">",
                 (T + H - B) / 2, (T + H - B) / 2);
    fr_sb_xml(b, y_title);
    fr_sb_puts(b, "</text>\n</g>\n</svg>\n");
}
