// The mirror's schema as an ordered list of migrations, embedded at build time
// from schema/NNN_name.sql. state/ applies the ones a database lacks and
// records each in schema_migrations. Immutable; safe to share across threads.
#ifndef CEIPAL_SCHEMA_MIGRATIONS_H_
#define CEIPAL_SCHEMA_MIGRATIONS_H_

#include <string_view>
#include <vector>

namespace ceipal::schema {

struct Migration {
  int version;            // NNN of the file name
  std::string_view name;  // file name without extension
  std::string_view sql;   // one or more statements
};

// All migrations, ascending by version.
const std::vector<Migration>& Migrations();

}  // namespace ceipal::schema

#endif  // CEIPAL_SCHEMA_MIGRATIONS_H_
