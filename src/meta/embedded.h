/* Files compiled into the binary (build/gen/…_data.c, made by tools/embed.c): the entity
 * schemas, the default roles and processes, China's provinces and cities, the readings of Chinese
 * characters. */
#ifndef SEXTANT_EMBEDDED_H
#define SEXTANT_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const char *data;
	size_t len;
};

extern const struct embedded_file embedded_schema[];
extern const size_t embedded_schema_count;
extern const struct embedded_file embedded_policy[];
extern const size_t embedded_policy_count;
extern const struct embedded_file embedded_process[];
extern const size_t embedded_process_count;
extern const struct embedded_file embedded_regions[];
extern const size_t embedded_regions_count;
extern const struct embedded_file embedded_pinyin[];
extern const size_t embedded_pinyin_count;

#endif
