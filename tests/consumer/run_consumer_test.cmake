# The {fmt}-style consumer test, run as `cmake -P`: install the current build into a fresh
# prefix, build tests/consumer/app and the SDK's example plugin against that prefix only, and
# run the app. It proves that the installed package is complete and relocatable (the prefix is
# not CMAKE_INSTALL_PREFIX, yet the app finds format.json and lock.ofd with no environment
# variable), and that an out-of-tree plugin is found through ATOMICIO_PLUGIN_PATH and only
# through it.
#
# Required -D variables: ATOMICIO_BUILD_DIR, ATOMICIO_SOURCE_DIR, WORK_DIR, INSTALL_PREFIX
# (the build's CMAKE_INSTALL_PREFIX), GENERATOR, CXX_COMPILER, BUILD_TYPE; optional MAKE_PROGRAM,
# WITH_ASYNC (OFF: the build has no async layer to check).
cmake_minimum_required(VERSION 3.25)

foreach(required ATOMICIO_BUILD_DIR ATOMICIO_SOURCE_DIR WORK_DIR INSTALL_PREFIX GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "run_consumer_test.cmake: -D${required}=... is required")
  endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
set(app_build "${WORK_DIR}/app-build")
set(plugin_build "${WORK_DIR}/plugin-build")
set(plugin_prefix "${WORK_DIR}/plugin-prefix")
set(data "${WORK_DIR}/data")

# Runs a command; fails the test with its output unless it exits with `expected_status`.
# The output is returned in `out_var`.
function(run_step what expected_status out_var)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status STREQUAL expected_status)
    message(FATAL_ERROR "${what}: exit status ${status}, expected ${expected_status}\n"
                        "command: ${ARGN}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
  endif()
  message(STATUS "${what}: ok")
  set(${out_var} "${out}${err}" PARENT_SCOPE)
endfunction()

function(expect_match what output regex)
  if(NOT output MATCHES "${regex}")
    message(FATAL_ERROR "${what}: output does not match '${regex}'\n--- output ---\n${output}")
  endif()
endfunction()

function(expect_no_match what output regex)
  if(output MATCHES "${regex}")
    message(FATAL_ERROR "${what}: output unexpectedly matches '${regex}'\n--- output ---\n${output}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${data}/with-path" "${data}/without-path")

get_filename_component(real_install_prefix "${INSTALL_PREFIX}" REALPATH)
get_filename_component(real_prefix "${prefix}" REALPATH)
if(real_install_prefix STREQUAL real_prefix)
  message(FATAL_ERROR "the test prefix must differ from CMAKE_INSTALL_PREFIX to prove relocation")
endif()
string(REGEX REPLACE "([][+.*?()^$|\\])" "\\\\\\1" prefix_regex "${real_prefix}")
get_filename_component(real_build_dir "${ATOMICIO_BUILD_DIR}" REALPATH)
string(REGEX REPLACE "([][+.*?()^$|\\])" "\\\\\\1" build_regex "${real_build_dir}")

run_step("install the build into ${prefix}" 0 ignored
  "${CMAKE_COMMAND}" --install "${ATOMICIO_BUILD_DIR}" --prefix "${prefix}")

set(configure_args -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
                   "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON")
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(BUILD_TYPE)
  list(APPEND configure_args "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
endif()

run_step("configure the consumer app" 0 ignored
  "${CMAKE_COMMAND}" -S "${ATOMICIO_SOURCE_DIR}/tests/consumer/app" -B "${app_build}" ${configure_args})
run_step("build the consumer app" 0 ignored "${CMAKE_COMMAND}" --build "${app_build}")

run_step("configure the SDK example plugin" 0 ignored
  "${CMAKE_COMMAND}" -S "${ATOMICIO_SOURCE_DIR}/sdk/examples/lines_format" -B "${plugin_build}"
  ${configure_args} "-DCMAKE_INSTALL_PREFIX=${plugin_prefix}")
run_step("build the SDK example plugin" 0 build_log "${CMAKE_COMMAND}" --build "${plugin_build}")
expect_no_match("the example plugin builds warning-free" "${build_log}" "warning:")
run_step("install the SDK example plugin" 0 ignored "${CMAKE_COMMAND}" --install "${plugin_build}")
file(GLOB_RECURSE installed_manifest "${plugin_prefix}/*/format.lines.plugin.json")
file(GLOB_RECURSE installed_library "${plugin_prefix}/*/format.lines.so")
if(NOT installed_manifest OR NOT installed_library)
  message(FATAL_ERROR "installing the example plugin did not produce format.lines.so and its manifest under ${plugin_prefix}")
endif()

set(app "${app_build}/app")
set(plugin_dir "${plugin_build}/plugins")

# The helper's visibility and version script leave exactly one dynamic symbol, so nothing the
# plugin links statically can interpose on the host or on another plugin.
find_program(NM_PROGRAM nm)
if(NM_PROGRAM)
  run_step("list the example plugin's exported symbols" 0 symbols
    "${NM_PROGRAM}" -D --defined-only "${plugin_dir}/format.lines.so")
  string(REGEX MATCHALL "[^\n]+" symbol_lines "${symbols}")
  foreach(line IN LISTS symbol_lines)
    if(NOT line MATCHES " atomicio_plugin_entry_v1$")
      message(FATAL_ERROR "the example plugin exports more than its entry point: ${line}\n${symbols}")
    endif()
  endforeach()
  expect_match("the example plugin exports its entry point" "${symbols}" " T atomicio_plugin_entry_v1")
endif()

set(clean_env --unset=ATOMICIO_PLUGIN_PATH --unset=ATOMICIO_LOCK_BACKEND --unset=ATOMICIO_DEBUG_PLUGINS)

# With the example plugin on ATOMICIO_PLUGIN_PATH: both formats work. format.json and lock.ofd
# come from the relocated prefix's own plugin directory, format.lines from the environment.
run_step("run the app with ATOMICIO_PLUGIN_PATH" 0 with_path
  "${CMAKE_COMMAND}" -E env ${clean_env} "ATOMICIO_PLUGIN_PATH=${plugin_dir}" "${app}" "${data}/with-path")
expect_match("json and lines round trips" "${with_path}" "json ok\nlines ok\n")
expect_match("format.json comes from the relocated prefix"
  "${with_path}" "plugin format\\.json available install ${prefix_regex}/[^\n]*/format\\.json\\.plugin\\.json\n")
expect_match("lock.ofd comes from the relocated prefix"
  "${with_path}" "plugin lock\\.ofd available install ${prefix_regex}/[^\n]*/lock\\.ofd\\.plugin\\.json\n")
expect_match("format.lines comes from ATOMICIO_PLUGIN_PATH"
  "${with_path}" "plugin format\\.lines [a-z]+ environment [^\n]*/plugin-build/plugins/format\\.lines\\.plugin\\.json\n")
expect_no_match("nothing is rejected" "${with_path}" "plugin [^ ]+ (rejected|failed|shadowed)")
expect_no_match("nothing comes from the build tree's plugin directory" "${with_path}" " ${build_regex}/lib/")

# Without it: JSON still works, and the .lines file fails with a clear UnsupportedFormatError
# that names the extension and the directories searched.
run_step("run the app without ATOMICIO_PLUGIN_PATH" 3 without_path
  "${CMAKE_COMMAND}" -E env ${clean_env} "${app}" "${data}/without-path")
expect_match("json works without any environment variable" "${without_path}" "json ok\n")
expect_no_match("format.lines is not found without the variable" "${without_path}" "plugin format\\.lines")
expect_match("the .lines failure is an UnsupportedFormatError naming the extension"
  "${without_path}" "lines unsupported: [^\n]*no installed plugin or registered format handles '\\.lines' files")
expect_match("the .lines failure names the searched directory"
  "${without_path}" "lines unsupported: [^\n]*searched: ${prefix_regex}/[^\n]*plugins-abi[0-9]+ \\(install directory\\)")

# The async layer, through its own package component (not installed when the build leaves it out).
if(DEFINED WITH_ASYNC AND NOT WITH_ASYNC)
  message(STATUS "consumer test passed (the build has no async layer: ATOMICIO_BUILD_ASYNC is OFF)")
  return()
endif()
set(async_build "${WORK_DIR}/async-app-build")
run_step("configure the async consumer app" 0 ignored
  "${CMAKE_COMMAND}" -S "${ATOMICIO_SOURCE_DIR}/tests/consumer/async_app" -B "${async_build}" ${configure_args})
run_step("build the async consumer app" 0 ignored "${CMAKE_COMMAND}" --build "${async_build}")
run_step("run the async consumer app" 0 async_out
  "${CMAKE_COMMAND}" -E env ${clean_env} "${async_build}/async_app" "${data}/with-path")
expect_match("the async app writes and reads back" "${async_out}" "backend [a-z_]+\nasync ok\n")

message(STATUS "consumer test passed")
