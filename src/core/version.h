/* The release, reported by `sextant version`, /api/v1/openapi.json and the logs. */
#ifndef SEXTANT_VERSION_H
#define SEXTANT_VERSION_H

#define SEXTANT_VERSION "0.1.0"

#endif
