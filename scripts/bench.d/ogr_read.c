/*
 * ogr_read.c — the read half of scripts/bench's I/O floor: every feature of
 * the named layers fetched through OGR, its geometry and its fields as the
 * driver decodes them, and nothing else (no checks, no copies).  Built by
 * scripts/bench with the system's GDAL.
 *
 * usage: ogr_read SOURCE LAYER...
 * Prints the features and vertices read (so that nothing is optimised out).
 */
#include <stdio.h>

#include <gdal.h>
#include <ogr_api.h>

static long long points(OGRGeometryH g)
{
    int n = OGR_G_GetGeometryCount(g);
    if (n == 0)
        return OGR_G_GetPointCount(g);
    long long sum = 0;
    for (int i = 0; i < n; i++)
        sum += points(OGR_G_GetGeometryRef(g, i));
    return sum;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ogr_read SOURCE LAYER...\n");
        return 1;
    }
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(argv[1], GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        fprintf(stderr, "ogr_read: cannot open %s\n", argv[1]);
        return 1;
    }
    long long features = 0, vertices = 0, set = 0;
    for (int a = 2; a < argc; a++) {
        OGRLayerH lyr = GDALDatasetGetLayerByName(ds, argv[a]);
        if (!lyr) {
            fprintf(stderr, "ogr_read: no layer %s in %s\n", argv[a], argv[1]);
            GDALClose(ds);
            return 1;
        }
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            if (g)
                vertices += points(g);
            int nf = OGR_F_GetFieldCount(f);
            for (int i = 0; i < nf; i++)
                set += OGR_F_IsFieldSetAndNotNull(f, i);
            features++;
            OGR_F_Destroy(f);
        }
    }
    GDALClose(ds);
    printf("%lld features, %lld vertices, %lld values\n", features, vertices, set);
    return 0;
}
