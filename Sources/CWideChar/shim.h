// The C library's wcwidth, which <wchar.h> declares only for X/Open programs (and so Swift's Glibc
// module leaves out): how many terminal columns a character takes, in the calling thread's locale.
#include <stddef.h>

int wcwidth(wchar_t character);
