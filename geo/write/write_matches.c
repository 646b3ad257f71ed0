/*
 * write_matches.c — matches.csv, the join audit: one row per record of the
 * point layers that reached the join (inspections, incidents), saying how
 * it was matched to a parcel, how sure the match is, and for an address
 * the form it was compared in, so that an analyst can check a sample of
 * matches and fix the sources of the unmatched ones.
 *
 * Same bytes rules as the other CSVs (write_csv.c): RFC 4180 quoting, '\n'
 * line ends, an empty cell for a missing value, numbers formatted without
 * the locale, so the file is byte-identical run to run.
 */
#include "write.h"

#include <math.h>
#include <string.h>

#include "address_norm.h"
#include "out_buf.h"
#include "out_fmt.h"

fr_status geo_write_matches_csv(const geo_match_audit *layers, size_t nlayers,
                                const char *const *parcel_id, const char *path, const geo_out_tap *tap, int direct,
                                fr_error *err)
{
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given for the matches CSV");
    geo_out_buf o;
    fr_status st = geo_out_buf_open_tapped(&o, path, tap, direct, err);
    if (st != FR_OK)
        return st;
    geo_out_buf_puts(&o, "layer,fid,method,parcel_id,confidence,distance_m,house_number_diff,reason,address,"
                         "street,candidates,address_as_read,record_id\n");
    char buf[GEO_OUT_FMT_BUF], addr[512];
    for (size_t l = 0; l < nlayers && !o.err_no; l++) {
        const geo_match_audit *a = &layers[l];
        const size_t n = a->records->count;
        for (size_t k = 0; k < n && !o.err_no; k++) {
            /* The records are in their own order, so their matched parcels'
             * ids are read at random: the pointer 16 records ahead, the id
             * itself 8 ahead (its pointer fetched by then), or each is a
             * miss once the parcels outgrow the cache (5M parcels). */
            if (k + 16 < n && a->match[k + 16].parcel >= 0)
                __builtin_prefetch(&parcel_id[a->match[k + 16].parcel]);
            if (k + 8 < n && a->match[k + 8].parcel >= 0)
                __builtin_prefetch(parcel_id[a->match[k + 8].parcel]);
            const geo_match *m = &a->match[k];
            geo_out_buf_csv_field(&o, a->layer);
            geo_out_buf_putc(&o, ',');
            geo_out_buf_put(&o, buf, geo_out_fmt_int(buf, a->records->fid[k]));
            geo_out_buf_putc(&o, ',');
            geo_out_buf_puts(&o, geo_match_method_name(m->method));
            geo_out_buf_putc(&o, ',');
            if (m->parcel >= 0)
                geo_out_buf_csv_field(&o, parcel_id[m->parcel]);
            geo_out_buf_putc(&o, ',');
            geo_out_buf_put(&o, buf, geo_out_fmt_fixed(buf, m->confidence, 3));
            geo_out_buf_putc(&o, ',');
            if (m->parcel >= 0 && isfinite(m->distance_m))
                geo_out_buf_put(&o, buf, geo_out_fmt_fixed(buf, m->distance_m, 2));
            geo_out_buf_putc(&o, ',');
            if (m->number_diff >= 0)
                geo_out_buf_put(&o, buf, geo_out_fmt_int(buf, m->number_diff));
            geo_out_buf_putc(&o, ',');
            if (m->parcel < 0)
                geo_out_buf_puts(&o, geo_unmatched_reason_name(m->why));
            geo_out_buf_putc(&o, ',');
            if (a->address && a->address[k]) {
                geo_address ad;
                geo_address_parse(a->address[k], &ad);
                geo_address_format(&ad, addr, sizeof addr);
                geo_out_buf_csv_field(&o, addr);
            }
            geo_out_buf_putc(&o, ',');
            if (m->street >= 0)
                geo_out_buf_csv_field(&o, geo_address_index_street(a->addresses, m->street, addr, sizeof addr));
            geo_out_buf_putc(&o, ',');
            if (m->candidates > 0)
                geo_out_buf_put(&o, buf, geo_out_fmt_int(buf, m->candidates));
            geo_out_buf_putc(&o, ',');
            if (a->address)
                geo_out_buf_csv_field(&o, a->address[k]);
            geo_out_buf_putc(&o, ',');
            if (a->record_id)
                geo_out_buf_csv_field(&o, a->record_id[k]);
            geo_out_buf_putc(&o, '\n');
        }
    }
    return geo_out_buf_close(&o, path, FR_OK, err);
}
