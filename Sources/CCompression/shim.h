// The C boundary to the compression libraries Parquet and JSON Lines use:
// zstd, snappy (its C API) and zlib.
#ifndef SLUICE_CCOMPRESSION_SHIM_H
#define SLUICE_CCOMPRESSION_SHIM_H

#include <zstd.h>
#include <snappy-c.h>
#include <zlib.h>

/// deflateInit2 is a macro; this is the same call as a function Swift can see.
static inline int sluice_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

/// inflateInit2 with automatic gzip/zlib header detection.
static inline int sluice_inflate_init_auto(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

#endif
