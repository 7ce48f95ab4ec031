# atomicio_add_plugin(): the one call that builds an atomicio plugin and writes its manifest.
#
#   atomicio_add_plugin(<target>
#     ID <kind.name>  KIND format|codec|lock  VERSION <x.y.z>
#     SOURCES <files...>
#     [EXTENSIONS .ext...]          # format and codec plugins: the file suffixes it handles
#     [BACKENDS name...]            # lock plugins: the backend names it provides
#     [DESCRIPTION "..."] [INSTALL_HINT "..."]
#     [LINK_LIBRARIES <targets...>]
#     [COMPILE_DEFINITIONS <defs...>]
#     [OUTPUT_DIRECTORY <dir>]      # where <id>.so and <id>.plugin.json are placed at build time
#     [INSTALL_DESTINATION <dir>]   # default: the atomicio plugin directory of the prefix
#     [NO_INSTALL])
#
# The library is a MODULE named <id>.so that exports only the entry symbol (visibility plus a
# version script), so nothing it links statically can interpose on the host or other plugins.
# The manifest is generated from the same arguments that are compiled into the plugin as
# ATOMICIO_PLUGIN_ID / ATOMICIO_PLUGIN_VERSION, so the two agree by construction.

set(_atomicio_plugin_helper_dir "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "Where AtomicioPlugin.cmake lives")

function(atomicio_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_INSTALL"
    "ID;KIND;VERSION;DESCRIPTION;INSTALL_HINT;OUTPUT_DIRECTORY;INSTALL_DESTINATION"
    "SOURCES;EXTENSIONS;BACKENDS;LINK_LIBRARIES;COMPILE_DEFINITIONS")
  foreach(required ID KIND VERSION SOURCES)
    if(NOT arg_${required})
      message(FATAL_ERROR "atomicio_add_plugin(${target}): ${required} is required")
    endif()
  endforeach()
  if(NOT arg_KIND MATCHES "^(format|codec|lock)$")
    message(FATAL_ERROR "atomicio_add_plugin(${target}): KIND must be format, codec or lock, not '${arg_KIND}'")
  endif()
  if(NOT arg_OUTPUT_DIRECTORY)
    set(arg_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/plugins")
  endif()
  if(NOT arg_INSTALL_DESTINATION)
    set(arg_INSTALL_DESTINATION "${ATOMICIO_PLUGIN_INSTALL_DIR}")
  endif()

  add_library(${target} MODULE ${arg_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME "${arg_ID}"
    LIBRARY_OUTPUT_DIRECTORY "${arg_OUTPUT_DIRECTORY}"
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_compile_definitions(${target} PRIVATE
    ATOMICIO_PLUGIN_ID="${arg_ID}" ATOMICIO_PLUGIN_VERSION="${arg_VERSION}" ${arg_COMPILE_DEFINITIONS})
  target_link_libraries(${target} PRIVATE atomicio::sdk ${arg_LINK_LIBRARIES})
  target_link_options(${target} PRIVATE
    "LINKER:--version-script=${_atomicio_plugin_helper_dir}/plugin_exports.map")
  # --no-undefined turns a forgotten LINK_LIBRARIES entry into a link error instead of a load
  # failure. A sanitized plugin, though, refers to the sanitizer runtime, which lives in the
  # executable that loads it (clang links it there only), so that build must leave it out.
  get_directory_property(directory_flags COMPILE_OPTIONS)
  get_directory_property(directory_link_flags LINK_OPTIONS)
  if(NOT "${CMAKE_CXX_FLAGS};${CMAKE_MODULE_LINKER_FLAGS};${directory_flags};${directory_link_flags}" MATCHES "-fsanitize=")
    target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  endif()
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
    "${_atomicio_plugin_helper_dir}/plugin_exports.map")

  set(provides "")
  if(arg_KIND MATCHES "^(format|codec)$")
    _atomicio_json_list(provides "${arg_EXTENSIONS}")
    set(provides "\"extensions\": ${provides}")
  else()
    _atomicio_json_list(provides "${arg_BACKENDS}")
    set(provides "\"lock_backends\": ${provides}")
  endif()
  set(manifest "${arg_OUTPUT_DIRECTORY}/${arg_ID}.plugin.json")
  file(GENERATE OUTPUT "${manifest}" CONTENT "{
  \"manifest_version\": 1,
  \"id\": \"${arg_ID}\",
  \"version\": \"${arg_VERSION}\",
  \"kind\": \"${arg_KIND}\",
  \"abi\": { \"major\": ${ATOMICIO_PLUGIN_ABI_MAJOR}, \"minor\": ${ATOMICIO_PLUGIN_ABI_MINOR} },
  \"library\": \"$<TARGET_FILE_NAME:${target}>\",
  \"provides\": { ${provides} },
  \"description\": \"${arg_DESCRIPTION}\",
  \"install_hint\": \"${arg_INSTALL_HINT}\"
}
")
  if(NOT arg_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${arg_INSTALL_DESTINATION}"
            COMPONENT "plugin_${target}")
    install(FILES "${manifest}" DESTINATION "${arg_INSTALL_DESTINATION}"
            COMPONENT "plugin_${target}")
  endif()
endfunction()

function(_atomicio_json_list out items)
  set(json "")
  foreach(item IN LISTS items)
    if(json)
      string(APPEND json ", ")
    endif()
    string(APPEND json "\"${item}\"")
  endforeach()
  set(${out} "[${json}]" PARENT_SCOPE)
endfunction()
