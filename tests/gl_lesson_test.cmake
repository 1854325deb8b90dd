# Every step of every lesson renders under one Xvfb display (Mesa llvmpipe):
# `kvscope gui --lesson NAME --step K --frames 4 --screenshot` for each step that
# `kvscope lessons --json` lists. png_check --lesson checks the layout with the Lesson panel at
# the top of the left column (its amber step title and "try it" text present), and the
# screenshot's session sidecar must name the lesson and the step.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${KVSCOPE} lessons --json OUTPUT_VARIABLE doc RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "kvscope lessons --json failed (exit ${code})")
endif()
string(JSON count LENGTH "${doc}")
if(count LESS 12)
  message(FATAL_ERROR "expected at least 12 lessons, found ${count}")
endif()
set(script "set -e\ncd ${OUT}\n")
math(EXPR last "${count} - 1")
set(shots 0)
foreach(i RANGE ${last})
  string(JSON name GET "${doc}" ${i} name)
  string(JSON steps LENGTH "${doc}" ${i} steps)
  foreach(k RANGE 1 ${steps})
    set(png ${name}_step${k}.png)
    string(APPEND script "${KVSCOPE} gui --lesson ${name} --step ${k} --frames 4 "
                         "--width 1280 --height 720 --screenshot ${png} > /dev/null\n")
    string(APPEND script "${PNG_CHECK} ${png} 1280 720 --lesson\n")
    string(APPEND script "grep -q '\"lesson\": \"${name}\"' ${name}_step${k}.session.json\n")
    string(APPEND script "grep -q '\"lesson_step\": ${k}' ${name}_step${k}.session.json\n")
    math(EXPR shots "${shots} + 1")
  endforeach()
endforeach()
file(WRITE ${OUT}/run.sh "${script}")
message(STATUS "rendering ${shots} lesson steps")
execute_process(COMMAND ${XVFB_RUN} -a -s "-screen 0 1280x720x24" bash ${OUT}/run.sh
                RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "lesson screenshot checks failed (exit ${code}); see the output above")
endif()
