# jc_add_service(<name>): builds services/<name>/src/*.c into jc-<name>, with
# services/<name>/sql/*.sql embedded as <name>_migrations and, when the
# service has rule data, services/<name>/rules/*.json as <name>_rules.
function(jc_add_service name)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.c)
  file(GLOB sql CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/sql/*.sql)
  file(GLOB rules CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/rules/*.json)
  jc_embed_files(${CMAKE_CURRENT_BINARY_DIR}/${name}_sql.c ${name}_migrations ${sql})
  set(generated ${CMAKE_CURRENT_BINARY_DIR}/${name}_sql.c)
  if(rules)
    jc_embed_files(${CMAKE_CURRENT_BINARY_DIR}/${name}_rules.c ${name}_rules ${rules})
    list(APPEND generated ${CMAKE_CURRENT_BINARY_DIR}/${name}_rules.c)
  endif()
  add_executable(jc-${name} ${sources} ${generated})
  target_include_directories(jc-${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(jc-${name} PRIVATE jc)
endfunction()
