# jc_add_service(<name>): builds services/<name>/src/*.c into jc-<name>, with
# services/<name>/sql/*.sql embedded as <name>_migrations.
function(jc_add_service name)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.c)
  file(GLOB sql CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/sql/*.sql)
  jc_embed_files(${CMAKE_CURRENT_BINARY_DIR}/${name}_sql.c ${name}_migrations ${sql})
  add_executable(jc-${name} ${sources} ${CMAKE_CURRENT_BINARY_DIR}/${name}_sql.c)
  target_include_directories(jc-${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(jc-${name} PRIVATE jc)
endfunction()
