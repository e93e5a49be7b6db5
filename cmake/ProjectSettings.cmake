# INTERFACE targets linked privately by our own code only, never by third-party code.
add_library(project_warnings INTERFACE)
target_compile_options(project_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  $<$<BOOL:${PBXBENCH_WERROR}>:-Werror>)

add_library(project_settings INTERFACE)
target_include_directories(project_settings INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_definitions(project_settings INTERFACE
  PBXBENCH_VERSION="${PROJECT_VERSION}")

if(PBXBENCH_SANITIZE)
  set(san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_compile_options(project_settings INTERFACE ${san})
  target_link_options(project_settings INTERFACE ${san})
endif()

if(PBXBENCH_FUZZ)
  # Instrument the libraries for coverage; the fuzz targets add -fsanitize=fuzzer themselves.
  set(fz -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_compile_options(project_settings INTERFACE ${fz})
  target_link_options(project_settings INTERFACE -fsanitize=address,undefined)
endif()
