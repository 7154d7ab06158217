# jc_embed_files(<out.c> <symbol> <file>...)
# Generates <out.c> defining `const jc_embedded_file <symbol>[]` and
# `const size_t <symbol>_count`, the files' bytes sorted by file name.
# SQL migrations and the topic catalogue stay plain files in the tree and are
# compiled into the binaries, so a service needs no path at run time.
function(jc_embed_files out_c symbol)
  set(files ${ARGN})
  list(SORT files)
  add_custom_command(
    OUTPUT ${out_c}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_c} -DSYMBOL=${symbol}
            "-DFILES=${files}" -P ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()
