# Writes OUTPUT, a C++ file defining ceipal::schema::Migrations() from the
# .sql files in INPUTS (already sorted by their number).
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(body "")
foreach(path IN LISTS INPUTS)
  get_filename_component(name ${path} NAME_WE)
  string(SUBSTRING ${name} 0 3 number)
  math(EXPR version "${number}")
  file(READ ${path} sql)
  string(APPEND body
    "    {${version}, \"${name}\", R\"ceipal_sql(${sql})ceipal_sql\"},\n")
endforeach()
file(WRITE ${OUTPUT}
"// Generated from schema/*.sql by schema/embed.cmake; do not edit.\n"
"#include \"schema/migrations.h\"\n\n"
"namespace ceipal::schema {\n\n"
"const std::vector<Migration>& Migrations() {\n"
"  static const std::vector<Migration> kAll = {\n${body}  };\n"
"  return kAll;\n}\n\n}  // namespace ceipal::schema\n")
