/* The OpenAPI 3.1 description of the API, generated from the registry on request. */
#ifndef SEXTANT_OPENAPI_H
#define SEXTANT_OPENAPI_H

#include "registry.h"
#include "core/str.h"

void openapi_render(const struct registry *r, struct str *out);

#endif
