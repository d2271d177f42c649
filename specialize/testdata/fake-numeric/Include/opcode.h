/* made-up test file */
#define CACHE 0
#define POP_TOP 1
#define LOAD_ATTR_SLOT 2
