# Checks libatomicio's dynamic symbol table against its public headers, run by ctest as
#   cmake -DLIBRARY=<libatomicio.so> -DNM=<nm> -DOBJDUMP=<objdump> -DPROJECT_VERSION=<x.y.z>
#         -DHEADER_DIR=<core/include> -DGENERATED_HEADER_DIR=<build/core/include>
#         -DINTERNAL_HEADERS=<file;...> [-DASYNC_LIBRARY=<so>] -P check_exports.cmake
#
# The rules, each derived from the headers rather than from a list kept beside them:
# - every exported symbol belongs to a name a public header declares ATOMICIO_EXPORT (a class:
#   its members, typeinfo and vtable; a function), in namespace atomicio, or atomicio::detail
#   for the public-detail headers (include/atomicio/detail/); nothing from std::, boost:: or
#   anywhere else;
# - each of those names is exported (the headers promise nothing the library lacks);
# - the public names carry the version node ATOMICIO_<soversion>; the internals that tests
#   reach (ATOMICIO_TEST_EXPORT in INTERNAL_HEADERS) may be exported, but only under
#   ATOMICIO_TEST_INTERNALS_<soversion>; nothing is unversioned;
# - the sonames follow the policy: lib<name>.so.<major>.<minor> while the major is 0, else
#   lib<name>.so.<major>.
cmake_minimum_required(VERSION 3.25)

foreach(required LIBRARY NM OBJDUMP PROJECT_VERSION HEADER_DIR GENERATED_HEADER_DIR INTERNAL_HEADERS)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "check_exports.cmake: -D${required}=... is required")
  endif()
endforeach()

if(PROJECT_VERSION MATCHES "^0\\.([0-9]+)")
  set(soversion "0.${CMAKE_MATCH_1}")
else()
  string(REGEX MATCH "^[0-9]+" soversion "${PROJECT_VERSION}")
endif()
set(public_node "ATOMICIO_${soversion}")
set(internals_node "ATOMICIO_TEST_INTERNALS_${soversion}")
set(problems "")

# The names the headers declare exported. ATOMICIO_EXPORT marks a class (class ATOMICIO_EXPORT X)
# or a function (ATOMICIO_EXPORT <type> name(...)); the name comes before its "(" on that line.
function(declared_names out macro)
  set(names "")
  foreach(header IN LISTS ARGN)
    file(STRINGS "${header}" lines REGEX "${macro}")
    foreach(line IN LISTS lines)
      if(line MATCHES "^#")
        continue()
      elseif(line MATCHES "(class|struct) ${macro} ([A-Za-z_][A-Za-z0-9_]*)")
        list(APPEND names "${CMAKE_MATCH_2}")
      elseif(line MATCHES "${macro} [^(]*[ *&]([A-Za-z_][A-Za-z0-9_]*)\\(")
        list(APPEND names "${CMAKE_MATCH_1}")
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES names)
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

set(public_headers "")
set(detail_headers "")
foreach(dir IN ITEMS "${HEADER_DIR}" "${GENERATED_HEADER_DIR}")
  file(GLOB_RECURSE found "${dir}/atomicio/*.hpp")
  foreach(header IN LISTS found)
    if(header MATCHES "/atomicio/detail/")
      list(APPEND detail_headers "${header}")
    else()
      list(APPEND public_headers "${header}")
    endif()
  endforeach()
endforeach()
declared_names(public_names ATOMICIO_EXPORT ${public_headers})
declared_names(detail_names ATOMICIO_EXPORT ${detail_headers})
declared_names(internal_names ATOMICIO_TEST_EXPORT ${INTERNAL_HEADERS})
# version() is declared without the macro in the generated version.hpp; its definition
# (src/api/version.cpp) carries it.
list(APPEND public_names version)
if(NOT public_names OR NOT detail_names OR NOT internal_names)
  message(FATAL_ERROR "found no exported declarations in the headers (public: ${public_names}; "
                      "detail: ${detail_names}; internal: ${internal_names})")
endif()

execute_process(COMMAND "${NM}" -D --defined-only --demangle --with-symbol-versions "${LIBRARY}"
  OUTPUT_VARIABLE nm_output RESULT_VARIABLE nm_result)
if(NOT nm_result EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${LIBRARY}: ${nm_result}")
endif()
# A CMake list does not split inside square brackets, so [abi:cxx11] and operator[] become {...}
# before the output is cut into lines.
string(REPLACE ";" "," nm_output "${nm_output}")
string(REPLACE "[" "{" nm_output "${nm_output}")
string(REPLACE "]" "}" nm_output "${nm_output}")
string(REPLACE "\n" ";" nm_lines "${nm_output}")

set(nodes "")
set(seen_public "")
set(seen_detail "")
set(seen_internal "")
set(count 0)
foreach(line IN LISTS nm_lines)
  if(line STREQUAL "")
    continue()
  endif()
  if(NOT line MATCHES "^[0-9a-f]+ ([A-Za-z]) (.*)$")
    list(APPEND problems "unreadable nm line: ${line}")
    continue()
  endif()
  set(type "${CMAKE_MATCH_1}")
  set(symbol "${CMAKE_MATCH_2}")
  if(type STREQUAL "A")
    list(APPEND nodes "${symbol}")
    continue()
  endif()
  math(EXPR count "${count} + 1")
  if(symbol MATCHES "^(.*[^@])@@?([A-Za-z0-9_.]+)$")
    set(name "${CMAKE_MATCH_1}")
    set(node "${CMAKE_MATCH_2}")
  else()
    set(name "${symbol}")
    set(node "no version")
  endif()
  # The owner of a symbol is its first name after atomicio:: (after atomicio::detail:: for the
  # detail ones): "typeinfo for atomicio::LockError" -> LockError, "atomicio::SafeFile::read()"
  # -> SafeFile, "atomicio::detail::new_task_lock_owner()" -> new_task_lock_owner.
  string(REGEX REPLACE "^(typeinfo name for|typeinfo for|vtable for|VTT for|non-virtual thunk to|virtual thunk to|guard variable for) "
         "" entity "${name}")
  set(expected_node "${public_node}")
  if(entity MATCHES "^atomicio::detail::([A-Za-z_][A-Za-z0-9_]*)")
    set(owner "${CMAKE_MATCH_1}")
    if(owner IN_LIST detail_names)
      list(APPEND seen_detail "${owner}")
    elseif(owner IN_LIST internal_names)
      list(APPEND seen_internal "${owner}")
      set(expected_node "${internals_node}")
    else()
      list(APPEND problems "not declared ATOMICIO_EXPORT in a public-detail header: ${name} @ ${node}")
      continue()
    endif()
  elseif(entity MATCHES "^atomicio::([A-Za-z_][A-Za-z0-9_]*)")
    set(owner "${CMAKE_MATCH_1}")
    if(owner IN_LIST public_names)
      list(APPEND seen_public "${owner}")
    else()
      list(APPEND problems "not declared ATOMICIO_EXPORT in a public header: ${name} @ ${node}")
      continue()
    endif()
  else()
    list(APPEND problems "outside namespace atomicio: ${name} @ ${node}")
    continue()
  endif()
  if(NOT node STREQUAL expected_node)
    list(APPEND problems "under ${node}, not ${expected_node}: ${name}")
  endif()
endforeach()

foreach(kind public detail)
  foreach(owner IN LISTS ${kind}_names)
    if(NOT owner IN_LIST seen_${kind})
      list(APPEND problems "declared ATOMICIO_EXPORT in a ${kind} header but not exported: ${owner}")
    endif()
  endforeach()
endforeach()
foreach(node IN LISTS nodes)
  if(NOT node STREQUAL public_node AND NOT node STREQUAL internals_node)
    list(APPEND problems "unexpected version node ${node} (expected ${public_node})")
  endif()
endforeach()
if(NOT public_node IN_LIST nodes)
  list(APPEND problems "no version node ${public_node}")
endif()

function(check_soname library expected)
  execute_process(COMMAND "${OBJDUMP}" -p "${library}" OUTPUT_VARIABLE headers RESULT_VARIABLE result)
  if(NOT result EQUAL 0 OR NOT headers MATCHES "SONAME +([^\n]+)")
    set(problems "${problems};no SONAME in ${library}" PARENT_SCOPE)
  elseif(NOT CMAKE_MATCH_1 STREQUAL expected)
    set(problems "${problems};SONAME of ${library} is ${CMAKE_MATCH_1}, the policy says ${expected}" PARENT_SCOPE)
  endif()
endfunction()
check_soname("${LIBRARY}" "libatomicio.so.${soversion}")
if(ASYNC_LIBRARY)
  check_soname("${ASYNC_LIBRARY}" "libatomicio_async.so.${soversion}")
endif()
list(FILTER problems EXCLUDE REGEX "^$")

list(LENGTH problems problem_count)
if(problem_count GREATER 0)
  list(JOIN problems "\n  " report)
  message(FATAL_ERROR "${LIBRARY}: ${problem_count} problem(s) in its ABI:\n  ${report}")
endif()
list(LENGTH seen_internal internal_count)
message(STATUS "${LIBRARY}: ${count} exported symbols, all in the public API (${internal_count} of "
               "them the test seam under ${internals_node}); nodes: ${nodes}")
