# Writes a C++ source defining `const char <SYMBOL>[]` with the bytes of INPUT, so the built-in
# catalog is compiled into the binary. Invoked at build time: cmake -DINPUT=... -DOUTPUT=...
# -DSYMBOL=... -P embed_file.cmake
file(READ "${INPUT}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," content "${content}")
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT} by embed_file.cmake; do not edit.\n"
  "namespace mlw::mapping {\n"
  "extern const char ${SYMBOL}[];\n"
  "const char ${SYMBOL}[] = {${content} 0x00};\n"
  "}  // namespace mlw::mapping\n")
