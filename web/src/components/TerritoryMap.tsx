// The territory map: unit outlines (GeoJSON served by the API, no internet tiles) coloured by
// territory with ECharts. Clicking a unit selects it; locked units have a dark outline.
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
  selected?: string;
  onSelect: (code: string) => void;
}

const MAP_NAME = 'salesdesk-territory';

export function TerritoryMap({ geojson, units, labels, selected, onSelect }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const select = useRef(onSelect);
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
          emphasis: { label: { show: false }, itemStyle: { areaColor: undefined, borderColor: '#000', borderWidth: 1.5 } },
          data: units.map((u) => ({
            name: u.code,
            value: u.territory,
            itemStyle: {
              areaColor: territoryColour(u.territory),
              borderColor: u.code === selected ? '#000' : u.locked ? '#333' : '#fff',
              borderWidth: u.code === selected ? 2.5 : u.locked ? 1.5 : 0.5,
            },
          })),
        },
      ],
    });
  }, [units, labels, selected, geojson]);

  return <div ref={box} data-testid="territory-map" style={{ width: '100%', height: 'clamp(320px, 62vw, 600px)' }} />;
}
