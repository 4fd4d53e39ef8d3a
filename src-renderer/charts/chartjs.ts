/**
 * Chart.js with only the parts the line charts use registered (tree-shaken bundle, no date adapter:
 * time axes are linear milliseconds with our own tick labels). No animations anywhere: live charts
 * redraw every couple of seconds and animating them costs frames for nothing.
 */
import { Chart, LineController, LineElement, LinearScale, LogarithmicScale, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip);
Chart.defaults.animation = false;

export { Chart };
