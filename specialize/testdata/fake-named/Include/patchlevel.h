/* made-up test file */
#define PY_VERSION              "3.14.0a1+"
