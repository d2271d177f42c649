/* made-up test file */
#define PY_MAJOR_VERSION        3
#define PY_VERSION              "3.12.9"
