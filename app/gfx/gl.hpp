// OpenGL 3.3 core entry points, resolved against Mesa's libGL without a loader library.
#pragma once

#define GLFW_INCLUDE_NONE
#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/glcorearb.h>
