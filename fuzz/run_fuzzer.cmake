# Runs one fuzz program for a bounded time (cmake -P, used by ctest and scripts/fuzz.sh):
#
#   cmake -D SETTINGS=<build>/fuzz/<name>.fuzz.cmake -D SECONDS=<n> -D WORK_DIR=<dir>
#         [-D JOBS=<n>] -P fuzz/run_fuzzer.cmake
#
# SETTINGS (written by fuzz/CMakeLists.txt) names the program, its seed corpus, dictionary and
# maximum input length. The seeds are copied into WORK_DIR/corpus, which the fuzzer grows, so
# the source tree is never written and later runs start from what earlier ones found. Anything
# the fuzzer finds (crash-*, leak-*, timeout-*, oom-*) is saved in WORK_DIR/findings and fails
# the run.
foreach(required SETTINGS SECONDS WORK_DIR)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "run_fuzzer.cmake: -D ${required}=... is required")
  endif()
endforeach()
include("${SETTINGS}")

set(corpus "${WORK_DIR}/corpus")
set(findings "${WORK_DIR}/findings")
file(MAKE_DIRECTORY "${corpus}" "${findings}")
file(COPY "${SEED_DIR}/" DESTINATION "${corpus}")

# -timeout: one input taking 10 s is a hang. -rss_limit_mb: memory the process may hold (a
# single larger malloc is reported too). The trailing slash makes artifact_prefix a directory.
set(arguments
  -max_total_time=${SECONDS} -max_len=${MAX_LEN} -timeout=10 -rss_limit_mb=2048
  -artifact_prefix=${findings}/ -print_final_stats=1)
if(DICTIONARY)
  list(APPEND arguments -dict=${DICTIONARY})
endif()
if(JOBS AND JOBS GREATER 1)
  # Several processes share the corpus; each writes its log to fuzz-<n>.log in the working dir.
  list(APPEND arguments -jobs=${JOBS} -workers=${JOBS})
endif()

message(STATUS "${FUZZER} ${arguments} ${corpus}")
execute_process(COMMAND "${FUZZER}" ${arguments} "${corpus}" WORKING_DIRECTORY "${WORK_DIR}"
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(GLOB found "${findings}/*")
  list(JOIN found "\n  " found)
  message(FATAL_ERROR "${FUZZER} failed (${status}). Saved inputs:\n  ${found}\n"
    "Reproduce one with: ${FUZZER} <saved input>")
endif()
