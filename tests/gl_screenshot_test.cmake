# GL tests under one Xvfb display (Mesa llvmpipe): the explorer renders N frames and writes a
# PNG for (1) the default scene, (2) a saved session file, (3) a corrupt session file (a warning
# and the default scene, never a failed start), (4) the views only at 2x (offscreen), (5) the
# session saved beside screenshot (2) opened again. png_check then inspects image statistics and
# that each JSON sidecar reproduces the session's config.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
file(WRITE ${OUT}/corrupt.json "{ this is not json")
configure_file(${ROOT}/assets/configs/default.json ${OUT}/session.json COPYONLY)
file(WRITE ${OUT}/run.sh "set -e
cd ${OUT}
${KVSCOPE} gui --frames 12 --width 1280 --height 720 --screenshot default.png
${KVSCOPE} gui --session session.json --frames 6 --width 1280 --height 720 --screenshot session.png
${KVSCOPE} gui --session corrupt.json --frames 3 --width 1280 --height 720 --screenshot corrupt.png 2> corrupt.err
grep -q 'could not open session' corrupt.err
${KVSCOPE} gui --session session.json --frames 3 --width 960 --height 540 --scale 2 --no-ui --screenshot views2x.png
${KVSCOPE} gui --session session.session.json --frames 2 --width 1280 --height 720 --screenshot reloaded.png
grep -q '"stream_position"' session.session.json
${PNG_CHECK} default.png 1280 720
${PNG_CHECK} session.png 1280 720
${PNG_CHECK} corrupt.png 1280 720
${PNG_CHECK} views2x.png 1920 1080 --views-only
${PNG_CHECK} reloaded.png 1280 720
${PNG_CHECK} --same-config session.json session.session.json
${PNG_CHECK} --same-config session.session.json reloaded.session.json
")
execute_process(COMMAND ${XVFB_RUN} -a -s "-screen 0 1280x720x24" bash ${OUT}/run.sh
                RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "GL screenshot checks failed (exit ${code}); see the output above")
endif()
