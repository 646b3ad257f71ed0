/*
 * gpkg_rtree.c — the R-tree of a GeoPackage feature table, loaded in
 * Hilbert order (see gpkg_rtree.h).
 */
#include "gpkg_rtree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "psort.h"

#define HILBERT_BITS 16

/* Position of cell (x, y) of a 2^16 x 2^16 grid along the Hilbert curve. */
static uint32_t hilbert_d(uint32_t x, uint32_t y)
{
    const uint32_t n = 1u << HILBERT_BITS;
    uint32_t d = 0;
    for (uint32_t s = n / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
        d += s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

static uint32_t cell(double v, double lo, double span)
{
    double c = span > 0 ? (v - lo) / span * ((1u << HILBERT_BITS) - 1) : 0;
    return c <= 0 ? 0 : c >= (1u << HILBERT_BITS) - 1 ? (1u << HILBERT_BITS) - 1 : (uint32_t)c;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* SQLite's rtreeValueDown/rtreeValueUp: a float bound that contains d. */
static float value_down(double d)
{
    float f = (float)d;
    if (f > d)
        f = (float)(d * (d < 0 ? 1.0 + 1.0 / 8388608.0 : 1.0 - 1.0 / 8388608.0));
    return f;
}

static float value_up(double d)
{
    float f = (float)d;
    if (f < d)
        f = (float)(d * (d < 0 ? 1.0 - 1.0 / 8388608.0 : 1.0 + 1.0 / 8388608.0));
    return f;
}

fr_status geo_gpkg_rtree_rows_begin(geo_gpkg_rtree_rows *r, const geo_layer *l, size_t cap, const char *path,
                                    fr_error *err)
{
    memset(r, 0, sizeof *r);
    r->cx0 = r->cy0 = HUGE_VAL;
    r->cx1 = r->cy1 = -HUGE_VAL;
    for (size_t i = 0; i < l->count; i++) {
        if (!geo_layer_has_geometry(l, i))
            continue;
        double b[4];
        geo_layer_envelope(l, i, b);
        double cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
        r->cx0 = cx < r->cx0 ? cx : r->cx0;
        r->cx1 = cx > r->cx1 ? cx : r->cx1;
        r->cy0 = cy < r->cy0 ? cy : r->cy0;
        r->cy1 = cy > r->cy1 ? cy : r->cy1;
    }
    if (cap > 0xffffffffu)
        return fr_error_set(err, FR_E_OUTPUT, "%s: %zu rows are more than the R-tree loader orders", path, cap);
    r->cap = cap;
    r->fid = malloc((cap ? cap : 1) * sizeof *r->fid);
    r->box = malloc((cap ? cap : 1) * 4 * sizeof *r->box);
    r->key = malloc((cap ? cap : 1) * sizeof *r->key);
    if (!r->fid || !r->box || !r->key) {
        geo_gpkg_rtree_rows_free(r);
        return fr_error_oom_while(err, "writing %s: for the R-tree", path);
    }
    return FR_OK;
}

void geo_gpkg_rtree_rows_add(geo_gpkg_rtree_rows *r, int64_t fid, const double env[4])
{
    size_t j = r->n++; /* < r->cap: one call a row of the table begun for */
    r->fid[j] = fid;
    float *b = &r->box[4 * j];
    b[0] = value_down(env[0]);
    b[1] = value_up(env[1]);
    b[2] = value_down(env[2]);
    b[3] = value_up(env[3]);
    double cx = (env[0] + env[1]) / 2, cy = (env[2] + env[3]) / 2;
    uint32_t h = hilbert_d(cell(cx, r->cx0, r->cx1 - r->cx0), cell(cy, r->cy0, r->cy1 - r->cy0));
    r->key[j] = (uint64_t)h << 32 | (uint64_t)j;
}

void geo_gpkg_rtree_rows_free(geo_gpkg_rtree_rows *r)
{
    free(r->fid);
    free(r->box);
    free(r->key);
    memset(r, 0, sizeof *r);
}

/* rtree_<table>_<column> as an SQL identifier. */
static void rtree_name(fr_strbuf *b, const char *table, const char *column)
{
    fr_strbuf nm = {0};
    fr_sb_printf(&nm, "rtree_%s_%s", table, column);
    geo_gpkg_sb_ident(b, nm.s ? nm.s : "");
    b->oom |= nm.oom;
    fr_sb_free(&nm);
}

/* GDAL 3.6's triggers, text for text.  @R: the R-tree, @T: the table,
 * @C: the geometry column, @I: the fid column. */
static const char *const trigger_sql[] = {
    "CREATE TRIGGER @N_insert AFTER INSERT ON @T WHEN (new.@C NOT NULL AND NOT ST_IsEmpty(NEW.@C)) BEGIN "
    "INSERT OR REPLACE INTO @R VALUES (NEW.@I,ST_MinX(NEW.@C), ST_MaxX(NEW.@C),ST_MinY(NEW.@C), ST_MaxY(NEW.@C)); "
    "END;",
    "CREATE TRIGGER @N_update1 AFTER UPDATE OF @C ON @T WHEN OLD.@I = NEW.@I AND (NEW.@C NOTNULL AND NOT "
    "ST_IsEmpty(NEW.@C)) BEGIN INSERT OR REPLACE INTO @R VALUES (NEW.@I,ST_MinX(NEW.@C), ST_MaxX(NEW.@C),"
    "ST_MinY(NEW.@C), ST_MaxY(NEW.@C)); END;",
    "CREATE TRIGGER @N_update2 AFTER UPDATE OF @C ON @T WHEN OLD.@I = NEW.@I AND (NEW.@C ISNULL OR "
    "ST_IsEmpty(NEW.@C)) BEGIN DELETE FROM @R WHERE id = OLD.@I; END;",
    "CREATE TRIGGER @N_update3 AFTER UPDATE ON @T WHEN OLD.@I != NEW.@I AND (NEW.@C NOTNULL AND NOT "
    "ST_IsEmpty(NEW.@C)) BEGIN DELETE FROM @R WHERE id = OLD.@I; INSERT OR REPLACE INTO @R VALUES (NEW.@I,"
    "ST_MinX(NEW.@C), ST_MaxX(NEW.@C),ST_MinY(NEW.@C), ST_MaxY(NEW.@C)); END;",
    "CREATE TRIGGER @N_update4 AFTER UPDATE ON @T WHEN OLD.@I != NEW.@I AND (NEW.@C ISNULL OR "
    "ST_IsEmpty(NEW.@C)) BEGIN DELETE FROM @R WHERE id IN (OLD.@I, NEW.@I); END;",
    "CREATE TRIGGER @N_delete AFTER DELETE ON @T WHEN old.@C NOT NULL BEGIN DELETE FROM @R WHERE id = OLD.@I; "
    "END;",
};

/* The trigger template t with its names filled in: @N is the R-tree's
 * name as the start of an identifier ("rtree_T_C" followed by a suffix). */
static void put_trigger(fr_strbuf *b, const char *t, const char *table, const char *column)
{
    for (const char *p = t; *p; p++) {
        if (*p != '@') {
            fr_sb_put(b, p, 1);
            continue;
        }
        switch (*++p) {
        case 'R': rtree_name(b, table, column); break;
        case 'T': geo_gpkg_sb_ident(b, table); break;
        case 'C': geo_gpkg_sb_ident(b, column); break;
        case 'I': geo_gpkg_sb_ident(b, "fid"); break;
        case 'N': { /* "rtree_T_C_suffix" as one identifier */
            const char *end = p + 1;
            while (*end && *end != ' ')
                end++;
            fr_strbuf nm = {0};
            fr_sb_printf(&nm, "rtree_%s_%s%.*s", table, column, (int)(end - p - 1), p + 1);
            geo_gpkg_sb_ident(b, nm.s ? nm.s : "");
            b->oom |= nm.oom;
            fr_sb_free(&nm);
            p = end - 1;
            break;
        }
        default: fr_sb_put(b, p - 1, 2);
        }
    }
}

/* ---- the packed tree -------------------------------------------------------
 *
 * SQLite's rtree module keeps its tree in three shadow tables: %_node
 * (nodeno, data: a blob of node_size bytes: the tree's depth in the root's
 * first 2 bytes, the cell count in the next 2, then cells of an 8-byte id
 * and minx, maxx, miny, maxy as 32-bit floats, all big-endian), %_parent
 * (nodeno, parentnode) for every node but the root (nodeno 1) and %_rowid
 * (rowid, nodeno of its leaf).  Inserting a million envelopes through the
 * module costs ~20 us each (a descent, splits, three table updates); the
 * same tree written bottom-up from the Hilbert-sorted envelopes, nodes
 * full, costs a fraction, and is what GDAL 3.7+ does for the same reason.
 * SQLite's rtreecheck() verifies the result in the tests. */

typedef struct {
    int64_t id; /* feature id (leaves) or child nodeno */
    float box[4]; /* minx, maxx, miny, maxy */
} rt_cell;

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int k = bytes - 1; k >= 0; k--, v >>= 8)
        p[k] = (unsigned char)v;
}

static void put_cell(unsigned char *p, const rt_cell *c)
{
    put_be(p, (uint64_t)c->id, 8);
    for (int k = 0; k < 4; k++) {
        uint32_t u;
        memcpy(&u, &c->box[k], sizeof u);
        put_be(p + 8 + 4 * k, u, 4);
    }
}

static fr_status prepare_table(geo_gpkg_db *d, const char *rtree, const char *sql_tail, sqlite3_stmt **s,
                               fr_error *err)
{
    fr_strbuf b = {0};
    fr_sb_puts(&b, "INSERT INTO ");
    fr_sb_puts(&b, rtree);
    fr_sb_puts(&b, sql_tail);
    fr_status st = b.oom ? fr_error_oom_while(err, "writing %s: the R-tree", d->path)
                         : geo_gpkg_db_prepare(d, b.s, s, err);
    fr_sb_free(&b);
    return st;
}

/* The R-tree's identifier with a suffix ("rtree_T_C_node"), quoted. */
static char *shadow_name(const char *table, const char *column, const char *suffix)
{
    fr_strbuf nm = {0}, q = {0};
    fr_sb_printf(&nm, "rtree_%s_%s%s", table, column, suffix);
    geo_gpkg_sb_ident(&q, nm.s ? nm.s : "");
    q.oom |= nm.oom;
    fr_sb_free(&nm);
    return fr_sb_take(&q);
}

/* A level of the tree: level 0 the leaves' cells (the rows' envelopes in
 * Hilbert order), each next level one cell per node of the one below;
 * node j of a level holds cells [j * n / nodes, (j + 1) * n / nodes).
 * The leaves' cells are made from the rows as they are needed (leaf_cell)
 * rather than kept (24 bytes a row: 120 MB at 5M rows); the levels above
 * are a sixteenth of them and are kept. */
typedef struct {
    rt_cell *cells; /* NULL on level 0 */
    size_t n;       /* cells on this level */
    size_t nodes;   /* nodes holding them */
    int64_t first;  /* nodeno of the first of those nodes */
} rt_level;

/* Leaf cell c: the row keys[c] names. */
static rt_cell leaf_cell(const geo_gpkg_rtree_rows *r, const uint64_t *keys, size_t c)
{
    size_t k = (size_t)(keys[c] & 0xffffffffu);
    const float *b = &r->box[4 * k];
    return (rt_cell){r->fid[k], {b[0], b[1], b[2], b[3]}};
}

static rt_cell level_cell(const rt_level *L, const geo_gpkg_rtree_rows *r, const uint64_t *keys, size_t c)
{
    return L->cells ? L->cells[c] : leaf_cell(r, keys, c);
}

/* The node blob of cells [c0, c1) of level L. */
static void node_blob(unsigned char *blob, size_t size, int depth, const rt_level *L, const geo_gpkg_rtree_rows *r,
                      const uint64_t *keys, size_t c0, size_t c1)
{
    memset(blob, 0, size);
    put_be(blob, (uint64_t)depth, 2);
    put_be(blob + 2, c1 - c0, 2);
    for (size_t c = c0; c < c1; c++) {
        rt_cell cell = level_cell(L, r, keys, c);
        put_cell(blob + 4 + 24 * (c - c0), &cell);
    }
}

static fr_status write_nodes(geo_gpkg_db *d, const char *table, const char *column, const rt_level *lv, int nlv,
                             size_t node_size, const geo_gpkg_rtree_rows *r, const uint64_t *keys, fr_error *err)
{
    const int64_t *fid = r->fid;
    size_t n = r->n;
    char *node = shadow_name(table, column, "_node"), *parent = shadow_name(table, column, "_parent"),
         *rowid = shadow_name(table, column, "_rowid");
    unsigned char *blob = malloc(node_size);
    int64_t *leaf_of = malloc((n ? n : 1) * sizeof *leaf_of);
    fr_status st = node && parent && rowid && blob && leaf_of ? FR_OK : fr_error_oom_while(err, "writing %s: the R-tree", d->path);
    sqlite3_stmt *sn = NULL, *sp = NULL, *sr = NULL;
    if (st == FR_OK)
        st = prepare_table(d, node, " (nodeno, data) VALUES (?,?)", &sn, err);
    if (st == FR_OK)
        st = prepare_table(d, parent, " (nodeno, parentnode) VALUES (?,?)", &sp, err);
    if (st == FR_OK)
        st = prepare_table(d, rowid, " (rowid, nodeno) VALUES (?,?)", &sr, err);
    if (st == FR_OK) {
        fr_strbuf b = {0};
        fr_sb_printf(&b, "DELETE FROM %s", node); /* the empty root the module made */
        st = geo_gpkg_db_exec_sb(d, &b, "cannot write the R-tree", err);
    }
    /* top level first: nodenos ascend as they are inserted */
    for (int v = nlv - 1; v >= 0 && st == FR_OK; v--) {
        const rt_level *L = &lv[v];
        size_t pj = 0; /* the node of the level above holding cell j (j ascends) */
        for (size_t j = 0; j < L->nodes && st == FR_OK; j++) {
            size_t c0 = j * L->n / L->nodes, c1 = (j + 1) * L->n / L->nodes;
            int64_t no = L->first + (int64_t)j;
            node_blob(blob, node_size, v == nlv - 1 ? nlv - 1 : 0, L, r, keys, c0, c1);
            sqlite3_bind_int64(sn, 1, no);
            sqlite3_bind_blob(sn, 2, blob, (int)node_size, SQLITE_STATIC);
            st = geo_gpkg_db_insert(d, sn, "rtree node", (size_t)no - 1, err);
            if (st == FR_OK && v < nlv - 1) {
                const rt_level *U = &lv[v + 1];
                while ((pj + 1) * U->n / U->nodes <= j)
                    pj++;
                sqlite3_bind_int64(sp, 1, no);
                sqlite3_bind_int64(sp, 2, U->first + (int64_t)pj);
                st = geo_gpkg_db_insert(d, sp, "rtree parent", (size_t)no, err);
            }
            for (size_t c = c0; c < c1 && v == 0; c++)
                leaf_of[keys[c] & 0xffffffffu] = no;
        }
    }
    /* %_rowid in id order: fid[] ascends (rows are written in fid order), so
     * these are appends; in batches (gpkg_db.h), the last few one by one */
    sqlite3_stmt *sb = NULL;
    int per = st == FR_OK && n >= GEO_GPKG_BATCH_ROWS ? geo_gpkg_db_batch_rows(d, 2) : 1;
    if (per > 1) {
        fr_strbuf b = {0};
        fr_sb_printf(&b, "%s (rowid, nodeno)", rowid);
        st = b.oom ? fr_error_oom_while(err, "writing %s: the R-tree", d->path)
                   : geo_gpkg_db_prepare_insert(d, b.s, 2, per, &sb, err);
        fr_sb_free(&b);
    }
    for (size_t k = 0; k < n && st == FR_OK;) {
        size_t m = n - k >= (size_t)per ? (size_t)per : 1;
        sqlite3_stmt *s = m > 1 ? sb : sr;
        for (size_t q = 0; q < m; q++) {
            sqlite3_bind_int64(s, 2 * (int)q + 1, fid[k + q]);
            sqlite3_bind_int64(s, 2 * (int)q + 2, leaf_of[k + q]);
        }
        st = geo_gpkg_db_insert_rows(d, s, "rtree rowid", k, m, err);
        k += m;
    }
    sqlite3_finalize(sb);
    sqlite3_finalize(sn);
    sqlite3_finalize(sp);
    sqlite3_finalize(sr);
    free(node);
    free(parent);
    free(rowid);
    free(blob);
    free(leaf_of);
    return st;
}

/* Size of the module's node blobs (it depends on the page size). */
static fr_status node_size_of(geo_gpkg_db *d, const char *table, const char *column, size_t *size, fr_error *err)
{
    char *node = shadow_name(table, column, "_node");
    fr_strbuf b = {0};
    fr_sb_printf(&b, "SELECT length(data) FROM %s WHERE nodeno = 1", node ? node : "");
    free(node);
    sqlite3_stmt *s = NULL;
    fr_status st = b.oom || !node ? fr_error_oom_while(err, "writing %s: the R-tree", d->path)
                                  : geo_gpkg_db_prepare(d, b.s, &s, err);
    fr_sb_free(&b);
    if (st == FR_OK && sqlite3_step(s) == SQLITE_ROW)
        *size = (size_t)sqlite3_column_int(s, 0);
    else if (st == FR_OK)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: the R-tree has no root node", d->path);
    sqlite3_finalize(s);
    if (st == FR_OK && (*size < 4 + 2 * 24 || *size > 65536))
        st = fr_error_set(err, FR_E_OUTPUT, "%s: unexpected R-tree node size %zu", d->path, *size);
    return st;
}

static fr_status load(geo_gpkg_db *d, const char *table, const char *column, const geo_gpkg_rtree_rows *r,
                      const uint64_t *keys, fr_error *err)
{
    size_t node_size = 0, n = r->n;
    fr_status st = node_size_of(d, table, column, &node_size, err);
    if (st != FR_OK || n == 0)
        return st;
    size_t per_node = (node_size - 4) / 24;
    rt_level lv[32];
    int nlv = 1;
    lv[0].cells = NULL; /* made from the rows: leaf_cell */
    lv[0].n = n;
    /* nodes per level, each next level one cell per node below */
    for (;;) {
        rt_level *L = &lv[nlv - 1];
        L->nodes = (L->n + per_node - 1) / per_node;
        if (L->nodes == 1 || nlv == 32)
            break;
        rt_level *U = &lv[nlv];
        U->n = L->nodes;
        U->cells = malloc(U->n * sizeof *U->cells);
        if (!U->cells) {
            st = fr_error_oom_while(err, "writing %s: the R-tree", d->path);
            break;
        }
        nlv++;
    }
    /* nodenos: the root 1, then each level below in order */
    int64_t next = 1;
    for (int v = nlv - 1; v >= 0 && st == FR_OK; v--) {
        lv[v].first = next;
        next += (int64_t)lv[v].nodes;
    }
    for (int v = 0; v + 1 < nlv && st == FR_OK; v++) {
        for (size_t j = 0; j < lv[v].nodes; j++) {
            size_t c0 = j * lv[v].n / lv[v].nodes, c1 = (j + 1) * lv[v].n / lv[v].nodes;
            rt_cell first = level_cell(&lv[v], r, keys, c0);
            rt_cell u = {lv[v].first + (int64_t)j, {first.box[0], first.box[1], first.box[2], first.box[3]}};
            for (size_t c = c0 + 1; c < c1; c++) {
                rt_cell e = level_cell(&lv[v], r, keys, c);
                const float *b = e.box;
                u.box[0] = b[0] < u.box[0] ? b[0] : u.box[0];
                u.box[1] = b[1] > u.box[1] ? b[1] : u.box[1];
                u.box[2] = b[2] < u.box[2] ? b[2] : u.box[2];
                u.box[3] = b[3] > u.box[3] ? b[3] : u.box[3];
            }
            lv[v + 1].cells[j] = u;
        }
    }
    if (st == FR_OK)
        st = write_nodes(d, table, column, lv, nlv, node_size, r, keys, err);
    for (int v = 1; v < nlv; v++)
        free(lv[v].cells);
    return st;
}

fr_status geo_gpkg_rtree_create(geo_gpkg_db *d, const char *table, const char *column, geo_gpkg_rtree_rows *rows,
                                fr_error *err)
{
    fr_strbuf b = {0};
    fr_sb_puts(&b, "CREATE VIRTUAL TABLE ");
    rtree_name(&b, table, column);
    fr_sb_puts(&b, " USING rtree(id, minx, maxx, miny, maxy)");
    fr_status st = geo_gpkg_db_exec_sb(d, &b, "cannot create the R-tree", err);
    if (st == FR_OK && rows->n) /* the rows in Hilbert order (a total order: the row breaks ties) */
        st = fr_sort_parallel(rows->key, rows->n, sizeof *rows->key, cmp_u64, err);
    if (st == FR_OK)
        st = load(d, table, column, rows, rows->key, err);
    for (size_t k = 0; k < sizeof trigger_sql / sizeof *trigger_sql; k++)
        put_trigger(&b, trigger_sql[k], table, column);
    if (st == FR_OK)
        st = geo_gpkg_db_exec_sb(d, &b, "cannot create the R-tree triggers", err);
    fr_sb_free(&b);
    /* the table of extensions, which GDAL creates with the first one */
    if (st == FR_OK)
        st = geo_gpkg_db_exec(d,
                              "CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT "
                              "NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE "
                              "(table_name, column_name, extension_name));",
                              "cannot create gpkg_extensions", err);
    sqlite3_stmt *s = NULL;
    if (st == FR_OK)
        st = geo_gpkg_db_prepare(d,
                                 "INSERT INTO gpkg_extensions (table_name,column_name,extension_name,definition,"
                                 "scope) VALUES (?,?,'gpkg_rtree_index',"
                                 "'http://www.geopackage.org/spec120/#extension_rtree','write-only')",
                                 &s, err);
    if (s) {
        sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, column, -1, SQLITE_STATIC);
        st = geo_gpkg_db_insert(d, s, "gpkg_extensions", 0, err);
        sqlite3_finalize(s);
    }
    return st;
}
