// The territory map: unit outlines (GeoJSON served by the API, no internet tiles) coloured by
// territory with ECharts, neighbouring territories in different colours (chosen by the API),
// with a legend of territories below. Units are named on hover, and by labels once the map is
// zoomed in (wheel or pinch) far enough for them to fit. Clicking a unit selects it; locked units have a dark
// outline.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { MapChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { territoryColour } from '../lib/territory';

echarts.use([MapChart, TooltipComponent, CanvasRenderer]);

export interface MapUnit {
  code: string;
  name: string;
  territory: number;
  locked: boolean;
}

interface Props {
  geojson: object;
  units: MapUnit[];
  labels: string[];
  /** Each territory's palette index. */
  colours: number[];
  selected?: string;
  onSelect: (code: string) => void;
}

const MAP_NAME = 'salesdesk-territory';
/** District names are drawn from this zoom on (before it they would cover the map). */
const LABEL_ZOOM = 2.5;

export function TerritoryMap({ geojson, units, labels, colours, selected, onSelect }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const select = useRef(onSelect);
  const labelsShown = useRef(false);
  useEffect(() => {
    select.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    if (!box.current) return;
    // The GeoJSON is this app's own (FeatureCollection with `name` = unit code).
    echarts.registerMap(MAP_NAME, geojson as Parameters<typeof echarts.registerMap>[1]);
    const c = echarts.init(box.current);
    chart.current = c;
    c.on('click', (p) => {
      if (typeof p.name === 'string' && p.name) select.current(p.name);
    });
    // Names appear once the map is zoomed in far enough for them to fit.
    labelsShown.current = false;
    c.on('georoam', () => {
      const series = (c.getOption() as { series?: { zoom?: number }[] }).series;
      const show = (series?.[0]?.zoom ?? 1) >= LABEL_ZOOM;
      if (show !== labelsShown.current) {
        labelsShown.current = show;
        c.setOption({ series: [{ label: { show } }] });
      }
    });
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [geojson]);

  useEffect(() => {
    const names = new Map(units.map((u) => [u.code, u]));
    chart.current?.setOption({
      tooltip: {
        trigger: 'item',
        formatter: (p: { name: string }) => {
          const u = names.get(p.name);
          return u ? `${u.name}<br/>${labels[u.territory] ?? ''}${u.locked ? ' 🔒' : ''}` : p.name;
        },
      },
      series: [
        {
          type: 'map',
          map: MAP_NAME,
          roam: true,
          layoutCenter: ['50%', '50%'],
          layoutSize: '96%',
          selectedMode: false,
          label: {
            show: labelsShown.current,
            fontSize: 10,
            color: '#1f1f1f',
            textBorderColor: 'rgba(255,255,255,0.85)',
            textBorderWidth: 2,
            formatter: (p: { name: string }) => names.get(p.name)?.name ?? '',
          },
          // Of the labels shown, only those that fit are drawn.
          labelLayout: { hideOverlap: true },
          emphasis: { label: { show: true }, itemStyle: { areaColor: undefined, borderColor: '#000', borderWidth: 1.5 } },
          data: units.map((u) => ({
            name: u.code,
            value: u.territory,
            itemStyle: {
              areaColor: territoryColour(colours[u.territory] ?? u.territory),
              borderColor: u.code === selected ? '#000' : u.locked ? '#333' : '#fff',
              borderWidth: u.code === selected ? 2.5 : u.locked ? 1.5 : 0.5,
            },
          })),
        },
      ],
    });
  }, [units, labels, colours, selected, geojson]);

  return (
    <div>
      <div ref={box} data-testid="territory-map" style={{ width: '100%', height: 'clamp(320px, 62vw, 600px)' }} />
      <div data-testid="territory-legend" style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 12px', marginTop: 8 }}>
        {labels.map((l, i) => (
          <span key={i} style={{ display: 'inline-flex', alignItems: 'center', gap: 4, fontSize: 12, minWidth: 0 }}>
            <span style={{ width: 12, height: 12, borderRadius: 2, flex: 'none', background: territoryColour(colours[i] ?? i) }} />
            <span style={{ overflowWrap: 'anywhere' }}>{l}</span>
          </span>
        ))}
      </div>
    </div>
  );
}
