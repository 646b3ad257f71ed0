/*
 * source_files.h — the files behind an input source, for the run manifest.
 *
 * A Shapefile is four or five files, a FileGDB a directory of them; GDAL
 * knows which (GDALGetFileList), so the manifest can record the size, time
 * and hash of every file a layer was read from.  Connection strings
 * (PG:...) have no files.
 */
#ifndef GEO_SOURCE_FILES_H
#define GEO_SOURCE_FILES_H

#include <stddef.h>

#include "status.h"

/* Files of the vector source, sorted, each a malloc'd path; *files is a
 * malloc'd array (free with geo_source_files_free).  A source GDAL cannot
 * open yields no files and FR_OK: the reader reports that problem with
 * more context.  Fails only for lack of memory. */
fr_status geo_source_files(const char *source, const char *const *open_options, char ***files, size_t *n,
                           fr_error *err);

void geo_source_files_free(char **files, size_t n);

#endif
