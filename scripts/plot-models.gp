# Plots of a model sweep (run-model-sweep.sh). Call with
#   gnuplot -e "data='model-plot-data.txt'; out='DIR'" plot-models.gp
set terminal pngcairo size 900,560 font "sans,11"
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top right

set output out."/model-throughput.png"
set title "Throughput by server model (4 pairs, 256 messages in flight per pair)"
set ylabel "messages/s (millions)"
set yrange [0:*]
plot data index 0 using ($2/1e6):xtic(1) title "16 B" lc rgb "#56b4e9", \
     data index 0 using ($3/1e6) title "128 B" lc rgb "#0072b2", \
     data index 0 using ($4/1e6) title "1024 B" lc rgb "#e69f00"

set output out."/model-latency.png"
set title "Round-trip latency by server model (one 16-byte message in flight)"
set ylabel "round trip (µs)"
set key top left
plot data index 1 using 2:xtic(1) title "p50" lc rgb "#0072b2", \
     data index 1 using 3 title "p99" lc rgb "#d55e00"
