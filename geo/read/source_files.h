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

/* Refuses a source path that exists but is neither a regular file nor a
 * directory (a FIFO, a character or block device, a socket): opening one
 * can block forever (a FIFO without a writer) or read without end (a
 * device), and a nightly run must not hang holding its lock.  FR_E_INPUT
 * naming the path, what it is and `where` (e.g. "layers.parcels.source");
 * FR_OK for files, directories, missing paths (the reader reports them)
 * and connection strings or GDAL virtual paths.  Never opens the path. */
fr_status geo_source_check_kind(const char *source, const char *where, fr_error *err);

/* 1 when source names a file path (not "PG:...", not "/vsi..."). */
int geo_source_is_path(const char *source);

#endif
